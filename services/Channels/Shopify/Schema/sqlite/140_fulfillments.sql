-- Fulfilments of the Shopify orders the platform created, as last reported: fulfillments/create brings the lines,
-- fulfillments/update the delivery; an older delivery of the webhook never overwrites a newer one. The version goes
-- up with every FulfillmentReported.
CREATE TABLE IF NOT EXISTS fulfillments (
    connection_id     TEXT        NOT NULL,
    fulfillment_id    TEXT        NOT NULL,
    shopify_order_id  TEXT        NOT NULL,
    status            TEXT        NOT NULL,
    company           TEXT        NULL,
    numbers           TEXT        NOT NULL,
    urls              TEXT        NOT NULL,
    lines             TEXT        NOT NULL,
    shipped_at        INTEGER     NOT NULL,
    updated_at        INTEGER     NOT NULL,
    version           INTEGER     NOT NULL,
    PRIMARY KEY (connection_id, fulfillment_id)
);
