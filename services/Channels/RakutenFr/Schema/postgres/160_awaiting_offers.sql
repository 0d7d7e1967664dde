-- Listings refused because an offer was missing (issue 21): retried once the offer appears in the export.
CREATE TABLE IF NOT EXISTS awaiting_offers (
    listing_id    uuid        PRIMARY KEY,
    connection_id uuid        NOT NULL,
    version       bigint      NOT NULL,
    request       text        NOT NULL,
    failed_at     timestamptz NOT NULL
);
