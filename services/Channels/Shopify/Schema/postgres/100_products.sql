-- Webhook deliveries are stored before Shopify gets its 200 (and deduplicated by X-Shopify-Event-Id), then
-- processed; external ids map to the platform's ids (DESIGN §11); product_versions keeps the newest updated_at
-- seen per product, so a stale or reordered delivery changes nothing.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    event_id       text        PRIMARY KEY,
    connection_id  uuid        NOT NULL,
    topic          text        NOT NULL,
    triggered_at   timestamptz NULL,
    body           text        NOT NULL,
    received_at    timestamptz NOT NULL,
    processed_at   timestamptz NULL,
    error          text        NULL
);
CREATE INDEX IF NOT EXISTS ix_webhook_deliveries_pending ON webhook_deliveries (received_at) WHERE processed_at IS NULL;

CREATE TABLE IF NOT EXISTS external_ids (
    connection_id  uuid NOT NULL,
    kind           text NOT NULL,
    external_id    text NOT NULL,
    internal_id    uuid NOT NULL,
    PRIMARY KEY (connection_id, kind, external_id)
);

CREATE TABLE IF NOT EXISTS product_versions (
    connection_id        uuid        NOT NULL,
    external_product_id  text        NOT NULL,
    updated_at           timestamptz NOT NULL,
    deleted              boolean     NOT NULL,
    PRIMARY KEY (connection_id, external_product_id)
);
