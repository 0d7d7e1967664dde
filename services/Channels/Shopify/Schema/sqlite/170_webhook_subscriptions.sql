-- The platform's webhook subscriptions in each connected store (issue 21), as last checked: registered, or why not.
CREATE TABLE IF NOT EXISTS webhook_subscriptions (
    connection_id   TEXT    NOT NULL,
    topic           TEXT    NOT NULL,
    subscription_id TEXT    NULL,
    callback_url    TEXT    NOT NULL,
    error           TEXT    NULL,
    checked_at      INTEGER NOT NULL,
    PRIMARY KEY (connection_id, topic)
);
