-- Who changed what (issue 17, DESIGN §13): one row per state-changing call, written in the transaction of the change.
CREATE TABLE IF NOT EXISTS audit_log (
    position   INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    detail     TEXT    NULL,
    at         INTEGER NOT NULL,
    trace_id   TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_audit_log_tenant ON audit_log (tenant_id, position);
