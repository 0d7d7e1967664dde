-- Issue 22: an RMS order is confirmed once it reached Shopify (a held order stays 100 in RMS until released), or as each
-- connection chooses. Rows written before wait for nothing.
ALTER TABLE order_confirmations ADD COLUMN IF NOT EXISTS waits_for_export boolean NOT NULL DEFAULT false;

CREATE TABLE IF NOT EXISTS order_settings (
    connection_id uuid        PRIMARY KEY,
    confirm_on    text        NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_by    text        NOT NULL
);

