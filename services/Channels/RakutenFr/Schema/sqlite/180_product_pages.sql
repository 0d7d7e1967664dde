-- Rakuten France product pages created for products its catalogue lacks (issue 21): each connection's mapping of Shopify
-- product types and tags to Rakuten France product types, and what a stock file line creates.
CREATE TABLE IF NOT EXISTS product_type_mappings (
    connection_id TEXT    PRIMARY KEY,
    default_alias TEXT    NULL,
    rules         TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    TEXT    NOT NULL
);

ALTER TABLE offer_changes ADD COLUMN product_page TEXT NULL;
