-- Issue 22: an RMS order is confirmed once it reached Shopify (a held order stays 100 in RMS until released), or as each
-- connection chooses. Rows written before wait for nothing.
ALTER TABLE order_confirmations ADD COLUMN waits_for_export INTEGER NOT NULL DEFAULT 0;

CREATE TABLE IF NOT EXISTS order_settings (
    connection_id TEXT    PRIMARY KEY,
    confirm_on    TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    TEXT    NOT NULL
);

