-- Long operations (issue 19): one row per job, its progress committed with the work it counts, leased by the process
-- that runs it so that it is resumed from its checkpoint after a restart.
CREATE TABLE IF NOT EXISTS jobs (
    id             TEXT    PRIMARY KEY,
    tenant_id      TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    target         TEXT    NOT NULL,
    requested_by   TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    done           INTEGER NOT NULL,
    total          INTEGER NULL,
    failed         INTEGER NOT NULL,
    failures       TEXT    NOT NULL,
    checkpoint     TEXT    NULL,
    report         TEXT    NULL,
    error          TEXT    NULL,
    attempts       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    started_at     INTEGER NULL,
    updated_at     INTEGER NOT NULL,
    finished_at    INTEGER NULL,
    lease_owner    TEXT    NULL,
    lease_until    INTEGER NULL,
    trace_parent   TEXT    NULL,
    version        INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_jobs_tenant ON jobs (tenant_id, created_at);
CREATE INDEX IF NOT EXISTS ix_jobs_runnable ON jobs (state, lease_until);

-- One active job per tenant, kind and target: a second request while one runs gets that one.
CREATE UNIQUE INDEX IF NOT EXISTS ux_jobs_active ON jobs (tenant_id, kind, target) WHERE state IN ('Queued', 'Running');
