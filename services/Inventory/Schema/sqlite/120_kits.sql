-- Kits and bundles (issue 21): a kit SKU made of components; listed at the minimum its components allow, and selling one
-- reserves its components. kit_components finds the kits a component's change touches.
CREATE TABLE IF NOT EXISTS kits (
    tenant_id  TEXT    NOT NULL,
    kit_sku    TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, kit_sku)
);

CREATE TABLE IF NOT EXISTS kit_components (
    tenant_id     TEXT    NOT NULL,
    kit_sku       TEXT    NOT NULL,
    component_sku TEXT    NOT NULL,
    quantity      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kit_sku, component_sku)
);

CREATE INDEX IF NOT EXISTS kit_components_by_component ON kit_components (tenant_id, component_sku);
