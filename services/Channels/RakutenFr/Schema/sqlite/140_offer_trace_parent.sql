-- Observability (issue 19): the trace of the change a pending offer line carries, so the stock file links every change in it.
ALTER TABLE offer_changes ADD COLUMN trace_parent TEXT NULL;
