-- The RMS genre of each product (issue 21): per connection, rules by Shopify product type or tag, and a default.
CREATE TABLE IF NOT EXISTS genre_mappings (
    connection_id    uuid        PRIMARY KEY,
    default_genre_id text        NULL,
    rules            text        NOT NULL,
    updated_at       timestamptz NOT NULL,
    updated_by       text        NOT NULL
);
