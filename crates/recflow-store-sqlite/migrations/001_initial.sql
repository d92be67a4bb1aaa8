-- Accounts, API tokens and quotas. Ids are UUIDv7 (16-byte BLOBs), so id order is creation
-- order; timestamps are RFC 3339 text in UTC, which sorts chronologically.

CREATE TABLE users (
    id            BLOB PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    display_name  TEXT NOT NULL,
    timezone      TEXT NOT NULL DEFAULT 'UTC',
    is_admin      INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id           BLOB PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('personal', 'session')),
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE INDEX api_tokens_by_user ON api_tokens (user_id, id);

-- Limits and usage share a row so that one conditional UPDATE can reserve atomically.
CREATE TABLE quotas (
    user_id                        BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    max_automation_jobs            INTEGER NOT NULL,
    min_automation_interval_hours  INTEGER NOT NULL,
    max_input_sources              INTEGER NOT NULL,
    max_templates                  INTEGER NOT NULL,
    max_storage_bytes              INTEGER NOT NULL,
    max_concurrent_pipelines       INTEGER NOT NULL,
    used_automation_jobs           INTEGER NOT NULL DEFAULT 0 CHECK (used_automation_jobs >= 0),
    used_input_sources             INTEGER NOT NULL DEFAULT 0 CHECK (used_input_sources >= 0),
    used_templates                 INTEGER NOT NULL DEFAULT 0 CHECK (used_templates >= 0),
    used_storage_bytes             INTEGER NOT NULL DEFAULT 0 CHECK (used_storage_bytes >= 0),
    used_concurrent_pipelines      INTEGER NOT NULL DEFAULT 0 CHECK (used_concurrent_pipelines >= 0)
);
