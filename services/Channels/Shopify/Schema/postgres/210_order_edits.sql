-- Issue 22: the units per SKU each Shopify order should have after the marketplace changed its order, and what was applied.
CREATE TABLE IF NOT EXISTS shopify_order_edits (
    order_id        uuid        PRIMARY KEY,
    tenant_id       uuid        NOT NULL,
    target          text,
    cancelled       text        NOT NULL DEFAULT '{}',
    reason          text        NOT NULL,
    requested_at    timestamptz NOT NULL,
    applied_at      timestamptz,
    outcome         text,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL
);
