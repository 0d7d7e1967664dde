using System.Diagnostics;
using Npgsql;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Benchmarks;

/// <summary>What sharing a connection's rate budget through PostgreSQL costs and whether it holds with several replicas
/// (issue 19 point 5): the latency of one slot, then N "replicas" (budgets on their own pools, as separate processes
/// would have) calling as fast as the budget lets them, against the same number of per-process budgets.</summary>
public static class RateBudgetBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var replicas = OutboxBenchmark.Arg(args, "--replicas", 2);
        var seconds = OutboxBenchmark.Arg(args, "--seconds", 10);
        var rate = OutboxBenchmark.Arg(args, "--rate", 5);
        var infrastructure = await LocalInfrastructure.EnsureStartedAsync();
        var name = $"bench_rate_budget_{Guid.NewGuid():N}"[..30];
        await using (var server = new NpgsqlConnection(infrastructure.Postgres))
        {
            await server.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE \"{name}\"", server).ExecuteNonQueryAsync();
        }

        var database = new ServiceDatabase("rate-budget-benchmark", SqlDialect.Postgres,
            new NpgsqlConnectionStringBuilder(infrastructure.Postgres) { Database = name }.ToString());
        try
        {
            await using (var connection = new NpgsqlConnection(database.ConnectionString))
            {
                await connection.OpenAsync();
                var script = SchemaInitializer<ChannelDbContext>.Scripts(SqlDialect.Postgres, typeof(ChannelDbContext)).Single(s => s.Name.EndsWith("030_rate_budget.sql", StringComparison.Ordinal));
                await new NpgsqlCommand(script.Sql, connection).ExecuteNonQueryAsync();
            }

            // 1. One slot's cost: a budget that never makes anyone wait.
            await using (var one = (SharedRateBudget)RateBudget.For(database))
            {
                var latencies = new List<double>();
                var open = RateLimit.PerSecond("latency", 1_000_000);
                for (var i = 0; i < 2_200; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await one.TakeAsync("bench", open, CancellationToken.None);
                    if (i >= 200) latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds); // the first ones warm the pool and the plan
                }

                latencies.Sort();
                Console.WriteLine($"one slot (shared budget, one round trip): p50 {Stats.Percentile(latencies, 50):0.00} ms, p99 {Stats.Percentile(latencies, 99):0.00} ms over {latencies.Count:N0}");
            }

            // 2. Replicas calling as fast as the budget lets them, four callers each.
            var limit = RateLimit.PerSecond("contended", rate);
            var shared = Enumerable.Range(0, replicas).Select(_ => (RateBudget)RateBudget.For(database)).ToList();
            var local = Enumerable.Range(0, replicas).Select(_ => (RateBudget)new LocalRateBudget()).ToList();
            foreach (var (label, budgets) in new[] { ("shared through PostgreSQL", shared), ("one budget per process (before)", local) })
            {
                var taken = await ContendAsync(budgets, limit, TimeSpan.FromSeconds(seconds));
                var busiest = Busiest(taken, limit.Per);
                Console.WriteLine($"{replicas} replicas x 4 callers, {rate}/s budget, {seconds} s, {label}: {taken.Count} calls = {taken.Count / (double)seconds:0.00}/s, " +
                                  $"busiest rolling second {busiest} calls (the API allows {rate})");
            }

            foreach (var budget in shared) await ((SharedRateBudget)budget).DisposeAsync();
            return 0;
        }
        finally
        {
            await infrastructure.DropDatabasesAsync([name]);
        }
    }

    private static async Task<List<DateTimeOffset>> ContendAsync(IReadOnlyList<RateBudget> budgets, RateLimit limit, TimeSpan length)
    {
        var account = Guid.NewGuid().ToString();
        var until = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var taken = new List<DateTimeOffset>();
        await Task.WhenAll(budgets.SelectMany(budget => Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                var (slot, _) = await budget.TakeAsync(account, limit, CancellationToken.None);
                lock (taken) taken.Add(slot.TakenAt);
            }
        })));
        return taken;
    }

    /// <summary>The most calls in any rolling window of <paramref name="per"/>.</summary>
    private static int Busiest(List<DateTimeOffset> taken, TimeSpan per)
    {
        var times = taken.Order().ToList();
        var busiest = 0;
        for (int start = 0, end = 0; start < times.Count; start++)
        {
            while (end < times.Count && times[end] - times[start] < per) end++;
            busiest = Math.Max(busiest, end - start);
        }

        return busiest;
    }
}
