-- Credentials, input sources and recordings (SPEC §6). Secrets are stored only as
-- ciphertext made by the service; the database never sees them in the clear.

CREATE TABLE credentials (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('zoom_s2s', 'zoom_oauth', 'google', 'vk')),
    secret     BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, name)
);

CREATE TABLE input_sources (
    id                   UUID PRIMARY KEY,
    user_id              UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('zoom', 'local_folder')),
    -- RESTRICT: a credential in use cannot be deleted from under a source.
    credential_id        UUID REFERENCES credentials (id) ON DELETE RESTRICT,
    config               JSONB NOT NULL,
    min_duration_seconds BIGINT NOT NULL,
    min_size_bytes       BIGINT NOT NULL,
    process_on_webhook   BOOLEAN NOT NULL DEFAULT FALSE,
    webhook_secret       BYTEA,
    sync_state           TEXT NOT NULL DEFAULT 'idle' CHECK (sync_state IN ('idle', 'syncing')),
    sync_started_at TIMESTAMPTZ,
    last_sync_at TIMESTAMPTZ,
    last_result          JSONB,
    last_error           TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, name)
);

-- One row per (source, source_key), whatever syncs, webhooks or replicas do. A deleted
-- recording keeps its row with deleted_at set, so a later sync cannot bring it back.
CREATE TABLE recordings (
    id               UUID PRIMARY KEY,
    user_id          UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source_id        UUID NOT NULL REFERENCES input_sources (id) ON DELETE CASCADE,
    source_key       TEXT NOT NULL,
    title            TEXT NOT NULL,
    start_time TIMESTAMPTZ NOT NULL,
    duration_seconds BIGINT NOT NULL,
    size_bytes       BIGINT NOT NULL,
    status           TEXT NOT NULL,
    skip_reason      TEXT,
    template_id      UUID,
    match_info       JSONB,
    failure          JSONB,
    source_meta      JSONB NOT NULL,
    -- A digest of what the source reported; equal digest = nothing to write on re-sync.
    fingerprint      TEXT NOT NULL,
    deleted_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (source_id, source_key)
);

CREATE INDEX recordings_by_user ON recordings (user_id, id);
CREATE INDEX recordings_by_source_start ON recordings (source_id, start_time);
