-- Accounts, API tokens and quotas. Ids are UUIDv7, so id order is creation order.

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    display_name  TEXT NOT NULL,
    timezone      TEXT NOT NULL DEFAULT 'UTC',
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('personal', 'session')),
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

CREATE INDEX api_tokens_by_user ON api_tokens (user_id, id);

-- Limits and usage share a row so that one conditional UPDATE (which takes the row lock)
-- can reserve atomically under concurrency.
CREATE TABLE quotas (
    user_id                        UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    max_automation_jobs            BIGINT NOT NULL,
    min_automation_interval_hours  BIGINT NOT NULL,
    max_input_sources              BIGINT NOT NULL,
    max_templates                  BIGINT NOT NULL,
    max_storage_bytes              BIGINT NOT NULL,
    max_concurrent_pipelines       BIGINT NOT NULL,
    used_automation_jobs           BIGINT NOT NULL DEFAULT 0 CHECK (used_automation_jobs >= 0),
    used_input_sources             BIGINT NOT NULL DEFAULT 0 CHECK (used_input_sources >= 0),
    used_templates                 BIGINT NOT NULL DEFAULT 0 CHECK (used_templates >= 0),
    used_storage_bytes             BIGINT NOT NULL DEFAULT 0 CHECK (used_storage_bytes >= 0),
    used_concurrent_pipelines      BIGINT NOT NULL DEFAULT 0 CHECK (used_concurrent_pipelines >= 0)
);
