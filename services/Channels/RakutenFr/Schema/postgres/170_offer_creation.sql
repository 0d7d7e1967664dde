-- Offers created on Rakuten France's catalogue products by EAN (issue 21): the line's barcode while it creates the advert.
ALTER TABLE offer_changes ADD COLUMN IF NOT EXISTS ean text NULL;
