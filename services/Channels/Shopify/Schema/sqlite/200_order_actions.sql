-- Issue 22: what each order's status mapping asks of its Shopify order (tags, a held fulfilment) and what was applied.
CREATE TABLE IF NOT EXISTS shopify_order_actions (
    order_id         TEXT    PRIMARY KEY,
    tags             TEXT    NOT NULL,
    hold_fulfillment INTEGER NOT NULL,
    channel_status   TEXT    NOT NULL,
    requested_at     INTEGER NOT NULL,
    applied_tags     TEXT    NOT NULL DEFAULT '[]',
    applied_hold     INTEGER,
    error            TEXT,
    next_attempt_at  INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0
);
