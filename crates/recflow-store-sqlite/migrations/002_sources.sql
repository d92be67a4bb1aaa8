-- Credentials, input sources and recordings (SPEC §6). Secrets are stored only as
-- ciphertext made by the service; the database never sees them in the clear.

CREATE TABLE credentials (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('zoom_s2s', 'zoom_oauth', 'google', 'vk')),
    secret     BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (user_id, name)
);

CREATE TABLE input_sources (
    id                   BLOB PRIMARY KEY NOT NULL,
    user_id              BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('zoom', 'local_folder')),
    -- RESTRICT: a credential in use cannot be deleted from under a source.
    credential_id        BLOB REFERENCES credentials (id) ON DELETE RESTRICT,
    config               TEXT NOT NULL,
    min_duration_seconds INTEGER NOT NULL,
    min_size_bytes       INTEGER NOT NULL,
    process_on_webhook   INTEGER NOT NULL DEFAULT 0,
    webhook_secret       BLOB,
    sync_state           TEXT NOT NULL DEFAULT 'idle' CHECK (sync_state IN ('idle', 'syncing')),
    sync_started_at      TEXT,
    last_sync_at         TEXT,
    last_result          TEXT,
    last_error           TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    UNIQUE (user_id, name)
);

-- One row per (source, source_key), whatever syncs, webhooks or replicas do. A deleted
-- recording keeps its row with deleted_at set, so a later sync cannot bring it back.
CREATE TABLE recordings (
    id               BLOB PRIMARY KEY NOT NULL,
    user_id          BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source_id        BLOB NOT NULL REFERENCES input_sources (id) ON DELETE CASCADE,
    source_key       TEXT NOT NULL,
    title            TEXT NOT NULL,
    start_time       TEXT NOT NULL,
    duration_seconds INTEGER NOT NULL,
    size_bytes       INTEGER NOT NULL,
    status           TEXT NOT NULL,
    skip_reason      TEXT,
    template_id      BLOB,
    match_info       TEXT,
    failure          TEXT,
    source_meta      TEXT NOT NULL,
    -- A digest of what the source reported; equal digest = nothing to write on re-sync.
    fingerprint      TEXT NOT NULL,
    deleted_at       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (source_id, source_key)
);

CREATE INDEX recordings_by_user ON recordings (user_id, id);
CREATE INDEX recordings_by_source_start ON recordings (source_id, start_time);
