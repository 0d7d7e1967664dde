-- Observability (issue 19): the order's trace, so that the export made by the background loop and the fulfilment
-- found by a webhook days later are spans of the order's one trace.
ALTER TABLE order_exports ADD COLUMN trace_parent TEXT NULL;
