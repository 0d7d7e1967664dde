-- The shipments of each order as the Shipping service and the marketplaces reported them: what was shipped, whether
-- the marketplace took it (or why not, with its code), and the delivery.
CREATE TABLE IF NOT EXISTS order_shipments (
    shipment_id  TEXT        PRIMARY KEY,
    order_id     TEXT        NOT NULL,
    status       TEXT        NOT NULL,
    units        INTEGER     NOT NULL,
    error        TEXT        NULL,
    updated_at   INTEGER     NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_order_shipments_order ON order_shipments (order_id);
