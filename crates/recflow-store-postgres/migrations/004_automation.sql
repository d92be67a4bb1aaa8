-- Automation jobs and their runs (SPEC §5, §9).

CREATE TABLE automation_jobs (
    id                UUID PRIMARY KEY,
    user_id           UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    -- RESTRICT: a source that jobs sync cannot vanish from under them.
    source_id         UUID NOT NULL REFERENCES input_sources (id) ON DELETE RESTRICT,
    template_ids      JSONB NOT NULL,
    schedule          JSONB NOT NULL,
    sync_config       JSONB NOT NULL,
    processing_config JSONB NOT NULL,
    policy            JSONB NOT NULL,
    is_active         BOOLEAN NOT NULL DEFAULT TRUE,
    next_run_at       TIMESTAMPTZ,
    last_run_at       TIMESTAMPTZ,
    run_count         BIGINT NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, name)
);

-- The scheduler's only query path: due active jobs by next_run_at, so a tick costs in
-- proportion to the due jobs, not to all jobs.
CREATE INDEX automation_jobs_due ON automation_jobs (next_run_at) WHERE is_active;

-- No foreign key to the job: a deleted job's runs stay for audit until pruned.
CREATE TABLE automation_runs (
    id            UUID PRIMARY KEY,
    job_id        UUID NOT NULL,
    user_id       UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    trigger_kind  TEXT NOT NULL CHECK (trigger_kind IN ('schedule', 'manual', 'catch_up')),
    scheduled_for TIMESTAMPTZ NOT NULL,
    not_before    TIMESTAMPTZ NOT NULL,
    -- Whether the run waits for other runs of its job to finish (overlap skip/buffer_one).
    exclusive     BOOLEAN NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed',
                                                  'skipped', 'missed', 'cancelled')),
    reason        TEXT,
    counts        JSONB NOT NULL,
    outcomes      JSONB NOT NULL,
    error         TEXT,
    attempts      BIGINT NOT NULL DEFAULT 0,
    lease_owner   TEXT,
    lease_until   TIMESTAMPTZ,
    started_at    TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    -- Exactly once: a second scheduler's insert for the same slot is a no-op.
    UNIQUE (job_id, scheduled_for)
);

CREATE INDEX automation_runs_claim ON automation_runs (status, not_before);
CREATE INDEX automation_runs_by_job ON automation_runs (job_id, id);
