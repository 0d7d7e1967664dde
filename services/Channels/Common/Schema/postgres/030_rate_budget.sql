-- The rate budget of each (connection, marketplace API), shared by the replicas of a channel service (issue 19): the
-- times of the calls made in the last window, on the database's clock so that replicas on different machines agree.
CREATE TABLE IF NOT EXISTS rate_budget (
    bucket text PRIMARY KEY,
    slots timestamptz[] NOT NULL DEFAULT '{}'
);

-- Takes a slot when fewer than p_calls were taken in the last p_window, else says how long until one frees up. The
-- row lock serialises the takers of one bucket, whichever replica they run on; the clock is read after the lock.
CREATE OR REPLACE FUNCTION take_rate_slot(p_bucket text, p_calls int, p_window interval, OUT taken timestamptz, OUT wait interval)
LANGUAGE plpgsql AS $$
DECLARE
    kept timestamptz[];
    at timestamptz;
BEGIN
    INSERT INTO rate_budget (bucket) VALUES (p_bucket) ON CONFLICT (bucket) DO NOTHING;
    SELECT slots INTO kept FROM rate_budget WHERE bucket = p_bucket FOR UPDATE;
    at := clock_timestamp();
    kept := ARRAY(SELECT s FROM unnest(kept) AS s WHERE s > at - p_window ORDER BY s);
    IF cardinality(kept) < p_calls THEN
        taken := at;
        wait := interval '0';
        kept := kept || at;
    ELSE
        taken := NULL;
        wait := kept[1] + p_window - at;
    END IF;
    UPDATE rate_budget SET slots = kept WHERE bucket = p_bucket;
END $$;
