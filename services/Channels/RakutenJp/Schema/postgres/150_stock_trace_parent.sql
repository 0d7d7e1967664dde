-- Observability (issue 19): the trace of the change a row waits to push, so the bulk push links every change it carries.
ALTER TABLE stock_pushes ADD COLUMN IF NOT EXISTS trace_parent text NULL;
