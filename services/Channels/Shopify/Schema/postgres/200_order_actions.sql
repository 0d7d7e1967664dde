-- Issue 22: what each order's status mapping asks of its Shopify order (tags, a held fulfilment) and what was applied.
CREATE TABLE IF NOT EXISTS shopify_order_actions (
    order_id         uuid        PRIMARY KEY,
    tags             text        NOT NULL,
    hold_fulfillment boolean     NOT NULL,
    channel_status   text        NOT NULL,
    requested_at     timestamptz NOT NULL,
    applied_tags     text        NOT NULL DEFAULT '[]',
    applied_hold     boolean,
    error            text,
    next_attempt_at  timestamptz NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0
);
