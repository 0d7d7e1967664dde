-- Rakuten France offers as the last stock_ws export showed them (matched on the seller's SKU), the changes
-- waiting for a stock file or carried by one, and the files sent (at most 10 an hour).
CREATE TABLE IF NOT EXISTS known_offers (
    connection_id  TEXT          NOT NULL,
    sku            TEXT          NOT NULL,
    advert_id      INTEGER        NOT NULL,
    price          TEXT NOT NULL,
    stock          INTEGER       NOT NULL,
    refreshed_at   INTEGER   NOT NULL,
    PRIMARY KEY (connection_id, sku)
);

CREATE TABLE IF NOT EXISTS offer_catalogs (
    connection_id  TEXT        PRIMARY KEY,
    refreshed_at   INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS offer_changes (
    id               TEXT          PRIMARY KEY,
    connection_id    TEXT          NOT NULL,
    tenant_id        TEXT          NOT NULL,
    sku              TEXT          NOT NULL,
    price            TEXT NULL,
    stock            INTEGER       NULL,
    listing_id       TEXT          NULL,
    listing_version  INTEGER        NULL,
    product_id       TEXT          NULL,
    action           TEXT          NULL,
    import_id        INTEGER        NULL,
    queued_at        INTEGER   NOT NULL
);
-- One pending change per SKU: a newer one replaces it.
CREATE UNIQUE INDEX IF NOT EXISTS ux_offer_changes_pending ON offer_changes (connection_id, sku) WHERE import_id IS NULL;
CREATE INDEX IF NOT EXISTS ix_offer_changes_import ON offer_changes (connection_id, import_id);

CREATE TABLE IF NOT EXISTS offer_imports (
    import_id      INTEGER      NOT NULL,
    connection_id  TEXT        NOT NULL,
    sent_at        INTEGER NOT NULL,
    status         TEXT        NOT NULL,
    done           INTEGER     NOT NULL,
    failures       TEXT        NOT NULL,
    PRIMARY KEY (connection_id, import_id)
);
