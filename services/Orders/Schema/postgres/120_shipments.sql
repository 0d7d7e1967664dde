-- The shipments of each order as the Shipping service and the marketplaces reported them: what was shipped, whether
-- the marketplace took it (or why not, with its code), and the delivery.
CREATE TABLE IF NOT EXISTS order_shipments (
    shipment_id  uuid        PRIMARY KEY,
    order_id     uuid        NOT NULL,
    status       text        NOT NULL,
    units        integer     NOT NULL,
    error        text        NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_order_shipments_order ON order_shipments (order_id);
