-- One listing per (product, Rakuten connection): the merchant's intent, the state the channel reported, and
-- the version of the latest request (replies to older requests are ignored).
CREATE TABLE IF NOT EXISTS listings (
    listing_id          TEXT        PRIMARY KEY,
    tenant_id           TEXT        NOT NULL,
    product_id          TEXT        NOT NULL,
    connection_id       TEXT        NOT NULL,
    channel             TEXT        NOT NULL,
    intent              TEXT        NOT NULL,
    state               TEXT        NOT NULL,
    blocked_reason      TEXT        NULL,
    error_code          TEXT        NULL,
    error_message       TEXT        NULL,
    channel_listing_id  TEXT        NULL,
    hidden              INTEGER     NOT NULL,
    requested_live      INTEGER     NOT NULL,
    version             INTEGER      NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (product_id, connection_id)
);
CREATE INDEX IF NOT EXISTS ix_listings_tenant ON listings (tenant_id, connection_id);

-- The Rakuten connections of each tenant, learnt from ConnectionHealthChanged.
CREATE TABLE IF NOT EXISTS listing_connections (
    connection_id  TEXT        PRIMARY KEY,
    tenant_id      TEXT        NOT NULL,
    channel        TEXT        NOT NULL,
    removed        INTEGER     NOT NULL,
    seen_at        INTEGER NOT NULL
);
