-- The rate budget of each (connection, marketplace API) is shared through the database only by the replicas of a
-- distributed deployment (postgres/030_rate_budget.sql). The embedded mode is one process and keeps it in memory
-- (LocalRateBudget): nothing to create here; the script exists so that both engines run the same list.
SELECT 1;
