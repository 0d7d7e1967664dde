-- Each order's reservation ledger (see the PostgreSQL script).
CREATE TABLE IF NOT EXISTS order_reservations (
    order_id    TEXT    PRIMARY KEY,
    tenant_id   TEXT    NOT NULL,
    accepted    TEXT    NULL,
    cancelled   TEXT    NOT NULL,
    ended       INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
