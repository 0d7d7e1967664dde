-- One listing per (product, Rakuten connection): the merchant's intent, the state the channel reported, and
-- the version of the latest request (replies to older requests are ignored).
CREATE TABLE IF NOT EXISTS listings (
    listing_id          uuid        PRIMARY KEY,
    tenant_id           uuid        NOT NULL,
    product_id          uuid        NOT NULL,
    connection_id       uuid        NOT NULL,
    channel             text        NOT NULL,
    intent              text        NOT NULL,
    state               text        NOT NULL,
    blocked_reason      text        NULL,
    error_code          text        NULL,
    error_message       text        NULL,
    channel_listing_id  text        NULL,
    hidden              boolean     NOT NULL,
    requested_live      boolean     NOT NULL,
    version             bigint      NOT NULL,
    updated_at          timestamptz NOT NULL,
    UNIQUE (product_id, connection_id)
);
CREATE INDEX IF NOT EXISTS ix_listings_tenant ON listings (tenant_id, connection_id);

-- The Rakuten connections of each tenant, learnt from ConnectionHealthChanged.
CREATE TABLE IF NOT EXISTS listing_connections (
    connection_id  uuid        PRIMARY KEY,
    tenant_id      uuid        NOT NULL,
    channel        text        NOT NULL,
    removed        boolean     NOT NULL,
    seen_at        timestamptz NOT NULL
);
