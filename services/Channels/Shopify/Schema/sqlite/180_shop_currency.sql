-- The currency each connected store sells in, as Shopify last said (issue 21): product prices carry it.
CREATE TABLE IF NOT EXISTS shop_currencies (
    connection_id TEXT    PRIMARY KEY,
    currency      TEXT    NOT NULL,
    read_at       INTEGER NOT NULL
);
