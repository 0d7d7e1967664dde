-- Listings refused because an offer was missing (issue 21): retried once the offer appears in the export.
CREATE TABLE IF NOT EXISTS awaiting_offers (
    listing_id    TEXT    PRIMARY KEY,
    connection_id TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    request       TEXT    NOT NULL,
    failed_at     INTEGER NOT NULL
);
