-- The RMS genre of each product (issue 21): per connection, rules by Shopify product type or tag, and a default.
CREATE TABLE IF NOT EXISTS genre_mappings (
    connection_id    TEXT    PRIMARY KEY,
    default_genre_id TEXT    NULL,
    rules            TEXT    NOT NULL,
    updated_at       INTEGER NOT NULL,
    updated_by       TEXT    NOT NULL
);
