-- A cancellation per order: who asked (the channel, or the merchant through the platform), why, whether the
-- platform has announced it (OrderCancelled goes out once), and the marketplace's refusal if it would not cancel.
CREATE TABLE IF NOT EXISTS order_cancellations (
    order_id         uuid        PRIMARY KEY,
    initiator        text        NOT NULL,
    reason           text        NOT NULL,
    comment          text        NULL,
    previous_status  text        NOT NULL,
    requested_at     timestamptz NOT NULL,
    announced_at     timestamptz NULL,
    refusal          text        NULL
);
