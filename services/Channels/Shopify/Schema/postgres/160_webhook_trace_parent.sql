-- Observability (issue 19): the trace of the request that delivered the webhook, continued when it is applied.
ALTER TABLE webhook_deliveries ADD COLUMN IF NOT EXISTS trace_parent text NULL;
