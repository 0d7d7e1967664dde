-- A connection may match on a Shopify variant metafield holding the marketplace's SKU (issue 21).
ALTER TABLE listing_connections ADD COLUMN IF NOT EXISTS match_metafield text NULL;
