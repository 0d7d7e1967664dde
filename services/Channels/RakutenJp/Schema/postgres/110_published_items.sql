-- The last listing request applied per RMS item: an older or redelivered request is recognised and dropped.
CREATE TABLE IF NOT EXISTS published_items (
    listing_id      uuid   PRIMARY KEY,
    connection_id   uuid   NOT NULL,
    manage_number   text   NOT NULL,
    applied_version bigint NOT NULL,
    action          text   NOT NULL,
    outcome         text   NOT NULL
);
