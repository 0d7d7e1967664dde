-- Match or create (issue 21): an existing item's option names, and where its creation in Shopify stands.
ALTER TABLE channel_items ADD COLUMN option_names TEXT NULL;
ALTER TABLE item_decisions ADD COLUMN shopify_creation TEXT NULL;
