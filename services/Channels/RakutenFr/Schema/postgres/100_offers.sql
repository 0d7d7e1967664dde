-- Rakuten France offers as the last stock_ws export showed them (matched on the seller's SKU), the changes
-- waiting for a stock file or carried by one, and the files sent (at most 10 an hour).
CREATE TABLE IF NOT EXISTS known_offers (
    connection_id  uuid          NOT NULL,
    sku            text          NOT NULL,
    advert_id      bigint        NOT NULL,
    price          numeric(12,2) NOT NULL,
    stock          integer       NOT NULL,
    refreshed_at   timestamptz   NOT NULL,
    PRIMARY KEY (connection_id, sku)
);

CREATE TABLE IF NOT EXISTS offer_catalogs (
    connection_id  uuid        PRIMARY KEY,
    refreshed_at   timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS offer_changes (
    id               uuid          PRIMARY KEY,
    connection_id    uuid          NOT NULL,
    tenant_id        uuid          NOT NULL,
    sku              text          NOT NULL,
    price            numeric(12,2) NULL,
    stock            integer       NULL,
    listing_id       uuid          NULL,
    listing_version  bigint        NULL,
    product_id       uuid          NULL,
    action           text          NULL,
    import_id        bigint        NULL,
    queued_at        timestamptz   NOT NULL
);
-- One pending change per SKU: a newer one replaces it.
CREATE UNIQUE INDEX IF NOT EXISTS ux_offer_changes_pending ON offer_changes (connection_id, sku) WHERE import_id IS NULL;
CREATE INDEX IF NOT EXISTS ix_offer_changes_import ON offer_changes (connection_id, import_id);

CREATE TABLE IF NOT EXISTS offer_imports (
    import_id      bigint      NOT NULL,
    connection_id  uuid        NOT NULL,
    sent_at        timestamptz NOT NULL,
    status         text        NOT NULL,
    done           boolean     NOT NULL,
    failures       text        NOT NULL,
    PRIMARY KEY (connection_id, import_id)
);
