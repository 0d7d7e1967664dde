-- Issue 22: each Shopify fulfilment's latest report, so a shipment the marketplace refused can be planned again once its
-- cause is fixed (a carrier override added, a number corrected).
CREATE TABLE IF NOT EXISTS fulfillment_reports (
    fulfillment_id text        PRIMARY KEY,
    order_id       uuid        NOT NULL,
    report         text        NOT NULL,
    version        bigint      NOT NULL,
    updated_at     timestamptz NOT NULL
);
