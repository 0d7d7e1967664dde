CREATE TABLE IF NOT EXISTS order_poll_cursors (
    connection_id  TEXT    PRIMARY KEY,
    polled_until   INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS imported_orders (
    connection_id  TEXT    NOT NULL,
    order_number   TEXT    NOT NULL,
    order_progress INTEGER NOT NULL,
    imported_at    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, order_number)
);
