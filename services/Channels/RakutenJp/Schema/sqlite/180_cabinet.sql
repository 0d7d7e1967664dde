-- Product images uploaded to the shop's R-Cabinet (issue 21): each Shopify image URL once per connection, with the
-- location items reference it by, or why it could not be uploaded; and the folder the platform keeps them in.
CREATE TABLE IF NOT EXISTS cabinet_folders (
    connection_id TEXT    PRIMARY KEY,
    folder_id     INTEGER NOT NULL,
    folder_path   TEXT    NOT NULL
);

CREATE TABLE IF NOT EXISTS cabinet_files (
    connection_id TEXT    NOT NULL,
    source_url    TEXT    NOT NULL,
    file_path     TEXT    NOT NULL,
    location      TEXT    NULL,
    file_id       INTEGER NULL,
    error_code    TEXT    NULL,
    error         TEXT    NULL,
    attempted_at  INTEGER NOT NULL,
    uploaded_at   INTEGER NULL,
    PRIMARY KEY (connection_id, source_url)
);
