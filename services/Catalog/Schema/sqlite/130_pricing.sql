-- Price rules per connection (issue 21): a rule (markup, fixed amount, dated conversion, rounding), fixed prices per SKU,
-- and the prices each listing was last sent.
CREATE TABLE IF NOT EXISTS price_rules (
    connection_id      TEXT    PRIMARY KEY,
    tenant_id          TEXT    NOT NULL,
    markup_percent     TEXT    NOT NULL,
    add_amount         TEXT    NOT NULL,
    convert_from       TEXT    NULL,
    convert_to         TEXT    NULL,
    convert_rate       TEXT    NULL,
    convert_as_of      TEXT    NULL,
    round_step         TEXT    NULL,
    round_direction    TEXT    NULL,
    round_ending       TEXT    NULL,
    updated_at         INTEGER NOT NULL,
    updated_by         TEXT    NOT NULL
);

CREATE TABLE IF NOT EXISTS fixed_prices (
    connection_id  TEXT    NOT NULL,
    sku            TEXT    NOT NULL,
    tenant_id      TEXT    NOT NULL,
    amount         TEXT    NOT NULL,
    currency       TEXT    NOT NULL,
    compare_at     TEXT    NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (connection_id, sku)
);

ALTER TABLE listings ADD COLUMN prices_sent TEXT NULL;
