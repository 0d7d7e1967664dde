-- A cancellation per order: who asked (the channel, or the merchant through the platform), why, whether the
-- platform has announced it (OrderCancelled goes out once), and the marketplace's refusal if it would not cancel.
CREATE TABLE IF NOT EXISTS order_cancellations (
    order_id         TEXT        PRIMARY KEY,
    initiator        TEXT        NOT NULL,
    reason           TEXT        NOT NULL,
    comment          TEXT        NULL,
    previous_status  TEXT        NOT NULL,
    requested_at     INTEGER     NOT NULL,
    announced_at     INTEGER     NULL,
    refusal          TEXT        NULL
);
