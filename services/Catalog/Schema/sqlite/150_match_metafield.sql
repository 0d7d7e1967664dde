-- A connection may match on a Shopify variant metafield holding the marketplace's SKU (issue 21).
ALTER TABLE listing_connections ADD COLUMN match_metafield TEXT NULL;
