-- The change feed behind the gRPC watches (issue 18). SQLite has one writer at a time, so positions are handed out
-- in commit order: tx stays 0. AUTOINCREMENT: a position is never reused, even after every row was pruned.
CREATE TABLE IF NOT EXISTS change_feed (
    position     INTEGER PRIMARY KEY AUTOINCREMENT,
    tx           INTEGER NOT NULL DEFAULT 0,
    tenant_id    TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    recorded_at  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS change_feed_horizon (
    id        INTEGER PRIMARY KEY,
    tx        INTEGER NOT NULL,
    position  INTEGER NOT NULL
);
