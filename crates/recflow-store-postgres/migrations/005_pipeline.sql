-- The recording pipeline (SPEC §8): durable, leased stages and one row per publishing target.

-- Set while a pipeline of the recording is in flight; the conditional UPDATE that sets it is
-- what makes a second start (another job, a webhook, a manual run) a no-op.
ALTER TABLE recordings ADD COLUMN pipeline_active BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE pipeline_stages (
    id           UUID PRIMARY KEY,
    recording_id UUID NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage        TEXT NOT NULL CHECK (stage IN ('download', 'trim', 'upload')),
    -- The output preset of an upload stage; '' for the other stages (a key, never NULL, so the
    -- unique constraint below holds).
    target       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'paused')),
    attempts     BIGINT NOT NULL DEFAULT 0,
    not_before   TIMESTAMPTZ NOT NULL,
    lease_owner  TEXT,
    lease_until  TIMESTAMPTZ,
    error        TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (recording_id, stage, target)
);

CREATE INDEX pipeline_stages_claim ON pipeline_stages (status, not_before);

CREATE TABLE recording_targets (
    recording_id      UUID NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    preset_id         UUID NOT NULL,
    platform          TEXT NOT NULL,
    status            TEXT NOT NULL,
    platform_video_id TEXT,
    url               TEXT,
    error             TEXT,
    -- A resumable upload's session, kept so a restarted worker resumes instead of re-sending.
    upload_session    TEXT,
    updated_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (recording_id, preset_id)
);
