-- Long operations (issue 19): one row per job, its progress committed with the work it counts, leased by the replica
-- that runs it so that another resumes it from its checkpoint when that replica dies.
CREATE TABLE IF NOT EXISTS jobs (
    id             uuid        PRIMARY KEY,
    tenant_id      uuid        NOT NULL,
    kind           text        NOT NULL,
    target         text        NOT NULL,
    requested_by   text        NOT NULL,
    state          text        NOT NULL,
    done           integer     NOT NULL,
    total          integer     NULL,
    failed         integer     NOT NULL,
    failures       text        NOT NULL,
    checkpoint     text        NULL,
    report         text        NULL,
    error          text        NULL,
    attempts       integer     NOT NULL,
    created_at     timestamptz NOT NULL,
    started_at     timestamptz NULL,
    updated_at     timestamptz NOT NULL,
    finished_at    timestamptz NULL,
    lease_owner    text        NULL,
    lease_until    timestamptz NULL,
    trace_parent   text        NULL,
    version        bigint      NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_jobs_tenant ON jobs (tenant_id, created_at);
CREATE INDEX IF NOT EXISTS ix_jobs_runnable ON jobs (state, lease_until) WHERE state IN ('Queued', 'Running');

-- One active job per tenant, kind and target: a second request while one runs gets that one.
CREATE UNIQUE INDEX IF NOT EXISTS ux_jobs_active ON jobs (tenant_id, kind, target) WHERE state IN ('Queued', 'Running');
