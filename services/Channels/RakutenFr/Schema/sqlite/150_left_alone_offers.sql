-- Offers the merchant left alone at onboarding (issue 21): no stock or price is sent to them.
CREATE TABLE IF NOT EXISTS left_alone_offers (
    connection_id TEXT    NOT NULL,
    sku           TEXT    NOT NULL,
    decided_at    INTEGER NOT NULL,
    PRIMARY KEY (connection_id, sku)
);
