-- The currency each connected store sells in, as Shopify last said (issue 21): product prices carry it.
CREATE TABLE IF NOT EXISTS shop_currencies (
    connection_id uuid        PRIMARY KEY,
    currency      text        NOT NULL,
    read_at       timestamptz NOT NULL
);
