// One test here stops PostgreSQL for everyone on the machine: run this assembly's tests one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
