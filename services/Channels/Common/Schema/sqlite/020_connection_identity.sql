-- One shop, one connection (issue 17); see the PostgreSQL script for the why.
ALTER TABLE connections ADD COLUMN account_number TEXT NULL;
ALTER TABLE connections ADD COLUMN secret_fingerprint TEXT NULL;
ALTER TABLE connections ADD COLUMN identified_at INTEGER NULL;

DROP INDEX IF EXISTS ux_connections_live;
CREATE UNIQUE INDEX IF NOT EXISTS ux_connections_live_account ON connections (channel, lower(external_id))
    WHERE removed_at IS NULL AND identified_at IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ux_connections_live_number ON connections (channel, account_number)
    WHERE removed_at IS NULL AND account_number IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ux_connections_live_secret ON connections (channel, secret_fingerprint)
    WHERE removed_at IS NULL AND secret_fingerprint IS NOT NULL;
