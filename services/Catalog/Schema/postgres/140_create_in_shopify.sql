-- Match or create (issue 21): an existing item's option names, and where its creation in Shopify stands.
ALTER TABLE channel_items ADD COLUMN IF NOT EXISTS option_names text NULL;
ALTER TABLE item_decisions ADD COLUMN IF NOT EXISTS shopify_creation text NULL;
