-- Kits as Inventory defines them (issue 21): the components an order of the kit carries into Shopify.
CREATE TABLE IF NOT EXISTS kit_definitions (
    tenant_id  uuid   NOT NULL,
    kit_sku    text   NOT NULL,
    components text   NOT NULL,
    version    bigint NOT NULL,
    PRIMARY KEY (tenant_id, kit_sku)
);
