-- The status sweep's memory: per imported order, the fingerprint of its content as last handed on (a change —
-- an amount RMS settled, an address the buyer entered — is handed on again), and per connection when the daily
-- five-day catch-up last ran.
CREATE TABLE IF NOT EXISTS order_fingerprints (
    connection_id  uuid        NOT NULL,
    order_number   text        NOT NULL,
    fingerprint    text        NOT NULL,
    PRIMARY KEY (connection_id, order_number)
);

CREATE TABLE IF NOT EXISTS order_catch_ups (
    connection_id  uuid        PRIMARY KEY,
    caught_up_at   timestamptz NOT NULL
);
