-- Kits as Inventory defines them (issue 21): the components an order of the kit carries into Shopify.
CREATE TABLE IF NOT EXISTS kit_definitions (
    tenant_id  TEXT    NOT NULL,
    kit_sku    TEXT    NOT NULL,
    components TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kit_sku)
);
