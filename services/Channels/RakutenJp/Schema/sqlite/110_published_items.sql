-- The last listing request applied per RMS item: an older or redelivered request is recognised and dropped.
CREATE TABLE IF NOT EXISTS published_items (
    listing_id      TEXT    PRIMARY KEY,
    connection_id   TEXT    NOT NULL,
    manage_number   TEXT    NOT NULL,
    applied_version INTEGER NOT NULL,
    action          TEXT    NOT NULL,
    outcome         TEXT    NOT NULL
);
