-- Hold actions (issue 18): a hold the merchant released (the order goes on without what held it: only a missing
-- ship-to), and when the merchant dismissed a hold (handled outside the platform; it leaves the hold list).
ALTER TABLE orders ADD COLUMN IF NOT EXISTS released_hold text NULL;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS hold_dismissed_at timestamptz NULL;
