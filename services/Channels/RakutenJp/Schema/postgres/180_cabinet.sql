-- Product images uploaded to the shop's R-Cabinet (issue 21): each Shopify image URL once per connection, with the
-- location items reference it by, or why it could not be uploaded; and the folder the platform keeps them in.
CREATE TABLE IF NOT EXISTS cabinet_folders (
    connection_id uuid        PRIMARY KEY,
    folder_id     bigint      NOT NULL,
    folder_path   text        NOT NULL
);

CREATE TABLE IF NOT EXISTS cabinet_files (
    connection_id uuid        NOT NULL,
    source_url    text        NOT NULL,
    file_path     text        NOT NULL,
    location      text        NULL,
    file_id       bigint      NULL,
    error_code    text        NULL,
    error         text        NULL,
    attempted_at  timestamptz NOT NULL,
    uploaded_at   timestamptz NULL,
    PRIMARY KEY (connection_id, source_url)
);
