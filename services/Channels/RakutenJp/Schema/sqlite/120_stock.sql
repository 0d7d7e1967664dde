-- Where each SKU lives in RMS (the managed item and variant the platform published), and per (connection, SKU)
-- the latest quantity to list with its version and what was last pushed (pending while version > pushed_version).
CREATE TABLE IF NOT EXISTS rms_skus (
    connection_id  TEXT NOT NULL,
    sku            TEXT NOT NULL,
    manage_number  TEXT NOT NULL,
    variant_id     TEXT NOT NULL,
    PRIMARY KEY (connection_id, sku)
);
CREATE INDEX IF NOT EXISTS ix_rms_skus_item ON rms_skus (connection_id, manage_number);

CREATE TABLE IF NOT EXISTS stock_pushes (
    connection_id    TEXT        NOT NULL,
    sku              TEXT        NOT NULL,
    quantity         INTEGER     NOT NULL,
    version          INTEGER      NOT NULL,
    pushed_version   INTEGER      NOT NULL,
    pushed_quantity  INTEGER     NULL,
    error            TEXT        NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (connection_id, sku)
);
