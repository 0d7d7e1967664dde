-- Rakuten France product pages created for products its catalogue lacks (issue 21): each connection's mapping of Shopify
-- product types and tags to Rakuten France product types, and what a stock file line creates.
CREATE TABLE IF NOT EXISTS product_type_mappings (
    connection_id uuid        PRIMARY KEY,
    default_alias text        NULL,
    rules         text        NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_by    text        NOT NULL
);

ALTER TABLE offer_changes ADD COLUMN IF NOT EXISTS product_page text NULL;
