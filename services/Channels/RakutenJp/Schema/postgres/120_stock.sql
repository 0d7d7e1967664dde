-- Where each SKU lives in RMS (the managed item and variant the platform published), and per (connection, SKU)
-- the latest quantity to list with its version and what was last pushed (pending while version > pushed_version).
CREATE TABLE IF NOT EXISTS rms_skus (
    connection_id  uuid NOT NULL,
    sku            text NOT NULL,
    manage_number  text NOT NULL,
    variant_id     text NOT NULL,
    PRIMARY KEY (connection_id, sku)
);
CREATE INDEX IF NOT EXISTS ix_rms_skus_item ON rms_skus (connection_id, manage_number);

CREATE TABLE IF NOT EXISTS stock_pushes (
    connection_id    uuid        NOT NULL,
    sku              text        NOT NULL,
    quantity         integer     NOT NULL,
    version          bigint      NOT NULL,
    pushed_version   bigint      NOT NULL,
    pushed_quantity  integer     NULL,
    error            text        NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (connection_id, sku)
);
