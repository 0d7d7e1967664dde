-- One shop, one connection (issue 17): a marketplace account backs at most one live connection on the whole platform,
-- whatever the tenant. The account is what the marketplace says it is (external_id), RMS's shop number is learned from
-- the orders (account_number), and a secret that identifies the account (RMS's serviceSecret) is kept as a fingerprint.
ALTER TABLE connections ADD COLUMN IF NOT EXISTS account_number text NULL;
ALTER TABLE connections ADD COLUMN IF NOT EXISTS secret_fingerprint text NULL;
-- When the account was identified under these rules. Connections made before are not changed by the upgrade (no event
-- would tell the other services); they are identified at their next credentials update or check, and an RMS order of a
-- shop number another connection has already learned is not imported twice (account_number below).
ALTER TABLE connections ADD COLUMN IF NOT EXISTS identified_at timestamptz NULL;

DROP INDEX IF EXISTS ux_connections_live;
CREATE UNIQUE INDEX IF NOT EXISTS ux_connections_live_account ON connections (channel, lower(external_id))
    WHERE removed_at IS NULL AND identified_at IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ux_connections_live_number ON connections (channel, account_number)
    WHERE removed_at IS NULL AND account_number IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ux_connections_live_secret ON connections (channel, secret_fingerprint)
    WHERE removed_at IS NULL AND secret_fingerprint IS NOT NULL;
