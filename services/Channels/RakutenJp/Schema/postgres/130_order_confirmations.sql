-- Imported orders to confirm in RMS (注文確認, 100 → 300) and RMS's answer once asked: the list survives restarts.
CREATE TABLE IF NOT EXISTS order_confirmations (
    connection_id  uuid        NOT NULL,
    order_number   text        NOT NULL,
    confirmed_at   timestamptz NULL,
    outcome        text        NULL,
    PRIMARY KEY (connection_id, order_number)
);
