-- Marketplace orders cancelled on the platform whose Shopify order must be cancelled (restocked) — or never
-- created: recorded before any call, done once Shopify answered.
CREATE TABLE IF NOT EXISTS shopify_cancellations (
    order_id      uuid        PRIMARY KEY,
    requested_at  timestamptz NOT NULL,
    done_at       timestamptz NULL,
    outcome       text        NULL
);
