-- Onboarding a shop that already sells (issue 21): the inventory of its existing items, their keys, the merchant's
-- choice per item, and each product's place in the match.
ALTER TABLE listing_connections ADD COLUMN IF NOT EXISTS match_key text NOT NULL DEFAULT 'Sku';

CREATE TABLE IF NOT EXISTS channel_inventories (
    connection_id      uuid        PRIMARY KEY,
    tenant_id          uuid        NOT NULL,
    channel            text        NOT NULL,
    inventory_id       uuid        NOT NULL,
    pages_received     integer     NOT NULL,
    last_page          integer     NULL,
    total_found        integer     NULL,
    items              integer     NOT NULL,
    started_at         timestamptz NOT NULL,
    completed_at       timestamptz NULL,
    first_completed_at timestamptz NULL
);

CREATE TABLE IF NOT EXISTS channel_items (
    connection_id uuid    NOT NULL,
    item_id       text    NOT NULL,
    tenant_id     uuid    NOT NULL,
    inventory_id  uuid    NOT NULL,
    title         text    NOT NULL,
    hidden        boolean NOT NULL,
    skus          text    NOT NULL,
    PRIMARY KEY (connection_id, item_id)
);

CREATE TABLE IF NOT EXISTS channel_item_keys (
    connection_id uuid NOT NULL,
    key_kind      text NOT NULL,
    key_value     text NOT NULL,
    item_id       text NOT NULL,
    PRIMARY KEY (connection_id, key_kind, key_value, item_id)
);
CREATE INDEX IF NOT EXISTS ix_channel_item_keys_item ON channel_item_keys (connection_id, item_id);

CREATE TABLE IF NOT EXISTS item_decisions (
    connection_id          uuid        NOT NULL,
    item_id                text        NOT NULL,
    tenant_id              uuid        NOT NULL,
    decision               text        NULL,
    order_button_hidden    boolean     NULL,
    order_button_requested boolean     NULL,
    order_button_error     text        NULL,
    decided_at             timestamptz NOT NULL,
    decided_by             text        NOT NULL,
    PRIMARY KEY (connection_id, item_id)
);

CREATE TABLE IF NOT EXISTS product_matches (
    connection_id uuid NOT NULL,
    product_id    uuid NOT NULL,
    tenant_id     uuid NOT NULL,
    kind          text NOT NULL,
    item_id       text NOT NULL,
    reason        text NOT NULL,
    variant_ids   text NOT NULL,
    PRIMARY KEY (connection_id, product_id)
);
