-- API keys of machine callers (issue 17): a hash of the secret, never the key.
CREATE TABLE IF NOT EXISTS api_keys (
    id           uuid        PRIMARY KEY,
    tenant_id    uuid        NOT NULL,
    name         text        NOT NULL,
    roles        text        NOT NULL,
    secret_hash  text        NOT NULL,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NULL,
    last_used_at timestamptz NULL,
    revoked_at   timestamptz NULL,
    revoked_by   text        NULL
);

CREATE INDEX IF NOT EXISTS ix_api_keys_tenant ON api_keys (tenant_id);
-- A live key's name is unique within its tenant: the audit log names keys by it.
CREATE UNIQUE INDEX IF NOT EXISTS ux_api_keys_live_name ON api_keys (tenant_id, name) WHERE revoked_at IS NULL;
