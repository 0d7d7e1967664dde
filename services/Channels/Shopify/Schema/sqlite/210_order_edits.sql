-- Issue 22: the units per SKU each Shopify order should have after the marketplace changed its order, and what was applied.
CREATE TABLE IF NOT EXISTS shopify_order_edits (
    order_id        TEXT    PRIMARY KEY,
    tenant_id       TEXT    NOT NULL,
    target          TEXT,
    cancelled       TEXT    NOT NULL DEFAULT '{}',
    reason          TEXT    NOT NULL,
    requested_at    INTEGER NOT NULL,
    applied_at      INTEGER,
    outcome         TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL
);
