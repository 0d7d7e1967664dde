-- Each order's reservation ledger: the units its OrderAccepted named, those OrderCancelled gave back, and whether
-- OrderExported or ShipmentDispatched ended it. The order's messages arrive in any order; the units held
-- (reservations) are derived from the ledger, so a late OrderAccepted after the end holds nothing.
CREATE TABLE IF NOT EXISTS order_reservations (
    order_id    uuid        PRIMARY KEY,
    tenant_id   uuid        NOT NULL,
    accepted    text        NULL,
    cancelled   text        NOT NULL,
    ended       boolean     NOT NULL,
    updated_at  timestamptz NOT NULL
);
