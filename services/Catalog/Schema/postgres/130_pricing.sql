-- Price rules per connection (issue 21): a rule (markup, fixed amount, dated conversion, rounding), fixed prices per SKU,
-- and the prices each listing was last sent.
CREATE TABLE IF NOT EXISTS price_rules (
    connection_id      uuid        PRIMARY KEY,
    tenant_id          uuid        NOT NULL,
    markup_percent     numeric     NOT NULL,
    add_amount         numeric     NOT NULL,
    convert_from       text        NULL,
    convert_to         text        NULL,
    convert_rate       numeric     NULL,
    convert_as_of      date        NULL,
    round_step         numeric     NULL,
    round_direction    text        NULL,
    round_ending       numeric     NULL,
    updated_at         timestamptz NOT NULL,
    updated_by         text        NOT NULL
);

CREATE TABLE IF NOT EXISTS fixed_prices (
    connection_id  uuid        NOT NULL,
    sku            text        NOT NULL,
    tenant_id      uuid        NOT NULL,
    amount         numeric     NOT NULL,
    currency       text        NOT NULL,
    compare_at     numeric     NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (connection_id, sku)
);

ALTER TABLE listings ADD COLUMN IF NOT EXISTS prices_sent text NULL;
