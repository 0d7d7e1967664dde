-- The platform's webhook subscriptions in each connected store (issue 21), as last checked: registered, or why not.
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
    connection_id   uuid        NOT NULL,
    topic           text        NOT NULL,
    subscription_id text        NULL,
    callback_url    text        NOT NULL,
    error           text        NULL,
    checked_at      timestamptz NOT NULL,
    PRIMARY KEY (connection_id, topic)
);
