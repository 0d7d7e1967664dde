-- Issue 22: each Shopify fulfilment's latest report, so a shipment the marketplace refused can be planned again once its
-- cause is fixed (a carrier override added, a number corrected).
CREATE TABLE IF NOT EXISTS fulfillment_reports (
    fulfillment_id TEXT    PRIMARY KEY,
    order_id       TEXT    NOT NULL,
    report         TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
