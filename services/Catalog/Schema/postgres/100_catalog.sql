-- Products as Shopify (the system of record) last described them, and the SKU registry: which variant
-- claims which SKU, per tenant. A SKU claimed by two variants is refused for the channels until fixed.
CREATE TABLE IF NOT EXISTS catalog_products (
    product_id           uuid        PRIMARY KEY,
    tenant_id            uuid        NOT NULL,
    connection_id        uuid        NOT NULL,
    external_product_id  text        NOT NULL,
    title                text        NOT NULL,
    snapshot             text        NOT NULL,
    source_version       bigint      NOT NULL,
    deleted              boolean     NOT NULL,
    updated_at           timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS sku_claims (
    tenant_id      uuid NOT NULL,
    variant_id     uuid NOT NULL,
    sku            text NOT NULL,
    product_id     uuid NOT NULL,
    product_title  text NOT NULL,
    PRIMARY KEY (tenant_id, variant_id)
);
CREATE INDEX IF NOT EXISTS ix_sku_claims_sku ON sku_claims (tenant_id, sku);
