-- API keys of machine callers (issue 17): a hash of the secret, never the key.
CREATE TABLE IF NOT EXISTS api_keys (
    id           TEXT    PRIMARY KEY,
    tenant_id    TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    roles        TEXT    NOT NULL,
    secret_hash  TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NULL,
    last_used_at INTEGER NULL,
    revoked_at   INTEGER NULL,
    revoked_by   TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_api_keys_tenant ON api_keys (tenant_id);
CREATE UNIQUE INDEX IF NOT EXISTS ux_api_keys_live_name ON api_keys (tenant_id, name) WHERE revoked_at IS NULL;
