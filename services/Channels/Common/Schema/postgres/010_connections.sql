-- Channel connections (issue 4): one row per shop/store/seller account. Credentials are encrypted with
-- ASP.NET Core Data Protection before they reach this table. A removed connection keeps its row (history).
CREATE TABLE IF NOT EXISTS connections (
    id                     uuid        PRIMARY KEY,
    tenant_id              uuid        NOT NULL,
    channel                text        NOT NULL,
    name                   text        NOT NULL,
    external_id            text        NOT NULL,
    base_url               text        NOT NULL,
    protected_credentials  text        NOT NULL,
    health                 text        NOT NULL,
    health_detail          text        NOT NULL,
    credentials_expire_at  timestamptz NULL,
    last_warning_days      integer     NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    removed_at             timestamptz NULL
);

-- One live connection per (tenant, channel, shop); a removed one may be connected again.
CREATE UNIQUE INDEX IF NOT EXISTS ux_connections_live ON connections (tenant_id, channel, external_id) WHERE removed_at IS NULL;
