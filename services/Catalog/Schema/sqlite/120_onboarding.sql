-- Onboarding a shop that already sells (issue 21): the inventory of its existing items, their keys, the merchant's
-- choice per item, and each product's place in the match.
ALTER TABLE listing_connections ADD COLUMN match_key TEXT NOT NULL DEFAULT 'Sku';

CREATE TABLE IF NOT EXISTS channel_inventories (
    connection_id      TEXT        PRIMARY KEY,
    tenant_id          TEXT        NOT NULL,
    channel            TEXT        NOT NULL,
    inventory_id       TEXT        NOT NULL,
    pages_received     INTEGER     NOT NULL,
    last_page          INTEGER     NULL,
    total_found        INTEGER     NULL,
    items              INTEGER     NOT NULL,
    started_at         INTEGER     NOT NULL,
    completed_at       INTEGER     NULL,
    first_completed_at INTEGER     NULL
);

CREATE TABLE IF NOT EXISTS channel_items (
    connection_id TEXT    NOT NULL,
    item_id       TEXT    NOT NULL,
    tenant_id     TEXT    NOT NULL,
    inventory_id  TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    hidden        INTEGER NOT NULL,
    skus          TEXT    NOT NULL,
    PRIMARY KEY (connection_id, item_id)
);

CREATE TABLE IF NOT EXISTS channel_item_keys (
    connection_id TEXT NOT NULL,
    key_kind      TEXT NOT NULL,
    key_value     TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    PRIMARY KEY (connection_id, key_kind, key_value, item_id)
);
CREATE INDEX IF NOT EXISTS ix_channel_item_keys_item ON channel_item_keys (connection_id, item_id);

CREATE TABLE IF NOT EXISTS item_decisions (
    connection_id          TEXT        NOT NULL,
    item_id                TEXT        NOT NULL,
    tenant_id              TEXT        NOT NULL,
    decision               TEXT        NULL,
    order_button_hidden    INTEGER     NULL,
    order_button_requested INTEGER     NULL,
    order_button_error     TEXT        NULL,
    decided_at             INTEGER     NOT NULL,
    decided_by             TEXT        NOT NULL,
    PRIMARY KEY (connection_id, item_id)
);

CREATE TABLE IF NOT EXISTS product_matches (
    connection_id TEXT NOT NULL,
    product_id    TEXT NOT NULL,
    tenant_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    reason        TEXT NOT NULL,
    variant_ids   TEXT NOT NULL,
    PRIMARY KEY (connection_id, product_id)
);
