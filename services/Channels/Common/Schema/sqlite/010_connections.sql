-- Channel connections (issue 4): one row per shop/store/seller account. Credentials are encrypted with
-- ASP.NET Core Data Protection before they reach this table. A removed connection keeps its row (history).
CREATE TABLE IF NOT EXISTS connections (
    id                     TEXT        PRIMARY KEY,
    tenant_id              TEXT        NOT NULL,
    channel                TEXT        NOT NULL,
    name                   TEXT        NOT NULL,
    external_id            TEXT        NOT NULL,
    base_url               TEXT        NOT NULL,
    protected_credentials  TEXT        NOT NULL,
    health                 TEXT        NOT NULL,
    health_detail          TEXT        NOT NULL,
    credentials_expire_at  INTEGER     NULL,
    last_warning_days      INTEGER     NULL,
    created_at             INTEGER     NOT NULL,
    updated_at             INTEGER     NOT NULL,
    removed_at             INTEGER     NULL
);

-- One live connection per (tenant, channel, shop); a removed one may be connected again.
CREATE UNIQUE INDEX IF NOT EXISTS ux_connections_live ON connections (tenant_id, channel, external_id) WHERE removed_at IS NULL;
