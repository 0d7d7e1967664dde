-- The merchant's own RMS items (no v_ prefix) the merchant told the platform to drive (issue 21): in place, or moved to
-- a v_ item. Their orders count as managed, and the platform may write them.
CREATE TABLE IF NOT EXISTS adopted_items (
    connection_id uuid        NOT NULL,
    manage_number text        NOT NULL,
    mode          text        NOT NULL,
    adopted_at    timestamptz NOT NULL,
    PRIMARY KEY (connection_id, manage_number)
);
