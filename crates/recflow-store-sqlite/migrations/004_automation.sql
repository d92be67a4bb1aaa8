-- Automation jobs and their runs (SPEC §5, §9).

CREATE TABLE automation_jobs (
    id                BLOB PRIMARY KEY NOT NULL,
    user_id           BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    -- RESTRICT: a source that jobs sync cannot vanish from under them.
    source_id         BLOB NOT NULL REFERENCES input_sources (id) ON DELETE RESTRICT,
    template_ids      TEXT NOT NULL,
    schedule          TEXT NOT NULL,
    sync_config       TEXT NOT NULL,
    processing_config TEXT NOT NULL,
    policy            TEXT NOT NULL,
    is_active         INTEGER NOT NULL DEFAULT 1,
    next_run_at       TEXT,
    last_run_at       TEXT,
    run_count         INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (user_id, name)
);

-- The scheduler's only query path: due active jobs by next_run_at, so a tick costs in
-- proportion to the due jobs, not to all jobs.
CREATE INDEX automation_jobs_due ON automation_jobs (next_run_at) WHERE is_active = 1;

-- No foreign key to the job: a deleted job's runs stay for audit until pruned.
CREATE TABLE automation_runs (
    id            BLOB PRIMARY KEY NOT NULL,
    job_id        BLOB NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    trigger_kind  TEXT NOT NULL CHECK (trigger_kind IN ('schedule', 'manual', 'catch_up')),
    scheduled_for TEXT NOT NULL,
    not_before    TEXT NOT NULL,
    -- Whether the run waits for other runs of its job to finish (overlap skip/buffer_one).
    exclusive     INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed',
                                                  'skipped', 'missed', 'cancelled')),
    reason        TEXT,
    counts        TEXT NOT NULL,
    outcomes      TEXT NOT NULL,
    error         TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    lease_owner   TEXT,
    lease_until   TEXT,
    started_at    TEXT,
    finished_at   TEXT,
    created_at    TEXT NOT NULL,
    -- Exactly once: a second scheduler's insert for the same slot is a no-op.
    UNIQUE (job_id, scheduled_for)
);

CREATE INDEX automation_runs_claim ON automation_runs (status, not_before);
CREATE INDEX automation_runs_by_job ON automation_runs (job_id, id);
