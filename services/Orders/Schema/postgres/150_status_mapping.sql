-- Issue 22: each marketplace connection's status mapping (its own rules over the documented defaults), and the
-- connections Orders knows of, so that a table is only ever the caller's own connection's.
CREATE TABLE IF NOT EXISTS order_connections (
    connection_id uuid    PRIMARY KEY,
    tenant_id     uuid    NOT NULL,
    channel       text    NOT NULL,
    removed       boolean NOT NULL DEFAULT false
);

CREATE TABLE IF NOT EXISTS status_rules (
    connection_id     uuid        NOT NULL,
    channel_status    text        NOT NULL,
    status            text        NOT NULL,
    tags              text        NOT NULL,
    hold_fulfillment  boolean     NOT NULL,
    cancel_in_shopify boolean     NOT NULL,
    updated_at        timestamptz NOT NULL,
    updated_by        text        NOT NULL,
    PRIMARY KEY (connection_id, channel_status)
);
