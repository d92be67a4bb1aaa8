-- Output presets and templates (SPEC §7). Rules, processing and metadata are JSON documents
-- validated by the service before they are stored.

CREATE TABLE output_presets (
    id            BLOB PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    platform      TEXT NOT NULL CHECK (platform IN ('youtube', 'vk', 'local_folder')),
    credential_id BLOB REFERENCES credentials (id) ON DELETE RESTRICT,
    settings      TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (user_id, name)
);

CREATE TABLE templates (
    id                BLOB PRIMARY KEY NOT NULL,
    user_id           BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    priority          INTEGER NOT NULL DEFAULT 100,
    is_active         INTEGER NOT NULL DEFAULT 1,
    matching_rules    TEXT NOT NULL,
    processing        TEXT NOT NULL,
    metadata          TEXT NOT NULL,
    output_preset_ids TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (user_id, name)
);

CREATE INDEX recordings_unmapped ON recordings (user_id, template_id);
