-- Output presets and templates (SPEC §7). Rules, processing and metadata are JSON documents
-- validated by the service before they are stored.

CREATE TABLE output_presets (
    id            UUID PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    platform      TEXT NOT NULL CHECK (platform IN ('youtube', 'vk', 'local_folder')),
    credential_id UUID REFERENCES credentials (id) ON DELETE RESTRICT,
    settings      JSONB NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, name)
);

CREATE TABLE templates (
    id                UUID PRIMARY KEY,
    user_id           UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    priority          BIGINT NOT NULL DEFAULT 100,
    is_active         BOOLEAN NOT NULL DEFAULT TRUE,
    matching_rules    JSONB NOT NULL,
    processing        JSONB NOT NULL,
    metadata          JSONB NOT NULL,
    output_preset_ids JSONB NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, name)
);

CREATE INDEX recordings_unmapped ON recordings (user_id, template_id);
