-- Fulfilments of the Shopify orders the platform created, as last reported: fulfillments/create brings the lines,
-- fulfillments/update the delivery; an older delivery of the webhook never overwrites a newer one. The version goes
-- up with every FulfillmentReported.
CREATE TABLE IF NOT EXISTS fulfillments (
    connection_id     uuid        NOT NULL,
    fulfillment_id    text        NOT NULL,
    shopify_order_id  text        NOT NULL,
    status            text        NOT NULL,
    company           text        NULL,
    numbers           text        NOT NULL,
    urls              text        NOT NULL,
    lines             text        NOT NULL,
    shipped_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           bigint      NOT NULL,
    PRIMARY KEY (connection_id, fulfillment_id)
);
