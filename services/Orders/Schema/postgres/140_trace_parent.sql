-- Observability (issue 19): where the order's trace is, so that a retry, a release or a cancellation days later
-- continues the order's one trace.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS trace_parent text NULL;
