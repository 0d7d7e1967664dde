-- The order poller's position per connection (it survives restarts) and the RMS orders already handed to
-- the platform: (connection, order number) is the key that makes each order arrive exactly once.
CREATE TABLE IF NOT EXISTS order_poll_cursors (
    connection_id  uuid        PRIMARY KEY,
    polled_until   timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS imported_orders (
    connection_id  uuid        NOT NULL,
    order_number   text        NOT NULL,
    order_progress integer     NOT NULL,
    imported_at    timestamptz NOT NULL,
    PRIMARY KEY (connection_id, order_number)
);
