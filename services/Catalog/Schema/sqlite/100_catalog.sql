-- Products as Shopify (the system of record) last described them, and the SKU registry: which variant
-- claims which SKU, per tenant. A SKU claimed by two variants is refused for the channels until fixed.
CREATE TABLE IF NOT EXISTS catalog_products (
    product_id           TEXT        PRIMARY KEY,
    tenant_id            TEXT        NOT NULL,
    connection_id        TEXT        NOT NULL,
    external_product_id  TEXT        NOT NULL,
    title                TEXT        NOT NULL,
    snapshot             TEXT        NOT NULL,
    source_version       INTEGER     NOT NULL,
    deleted              INTEGER     NOT NULL,
    updated_at           INTEGER     NOT NULL
);

CREATE TABLE IF NOT EXISTS sku_claims (
    tenant_id      TEXT NOT NULL,
    variant_id     TEXT NOT NULL,
    sku            TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    product_title  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, variant_id)
);
CREATE INDEX IF NOT EXISTS ix_sku_claims_sku ON sku_claims (tenant_id, sku);
