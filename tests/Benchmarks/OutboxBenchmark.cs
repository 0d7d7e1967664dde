using System.Diagnostics;
using System.Diagnostics.Metrics;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.TestService;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Benchmarks;

/// <summary>Outbox throughput and publish latency through the real PostgreSQL and RabbitMQ: writers commit
/// integration events in transactions, the relay publishes them with confirms, an independent raw client
/// consumes them from a queue bound to the exchange. Phase 1 saturates (events/s committed and published);
/// phase 2 holds a steady rate and reports commit→confirm latency percentiles.</summary>
public static class OutboxBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = Arg(args, "--events", 200_000);
        var writers = Arg(args, "--writers", 8);
        var batch = Arg(args, "--batch", 50);
        var rate = Arg(args, "--rate", 2_000);
        var seconds = Arg(args, "--seconds", 15);
        var rateBatch = Arg(args, "--rate-batch", 1);
        var infrastructure = await LocalInfrastructure.EnsureStartedAsync();
        var (postgres, rabbit) = (infrastructure.Postgres, infrastructure.RabbitMq);

        var name = $"bench_{Guid.NewGuid():N}"[..14];
        await using var sink = await BrokerTap.AttachAsync(rabbit, "rakuten-platform.test.probe-happened.v1");
        using var meter = new PublishMeter();
        Console.WriteLine($"outbox benchmark: PostgreSQL + RabbitMQ on this machine ({Environment.ProcessorCount} cores), {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
        var perWriter = events / writers;
        var total = perWriter * writers;

        // Phase 1: commit only (relay off), then publish only (a relay draining that backlog): each side's ceiling.
        await using (var committing = await StartAsync(postgres, rabbit, name, relay: false))
        {
            var commitClock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(() => CommitAsync(committing, perWriter, batch))));
            Console.WriteLine($"commit only:   {total / commitClock.Elapsed.TotalSeconds,8:N0} events/s ({total:N0} events, {writers} writers x {batch}/transaction)");
            await committing.StopAsync();
        }

        var baseline = sink.Received;
        var drainClock = Stopwatch.StartNew();
        await using var app = await StartAsync(postgres, rabbit, name, relay: true);
        await WaitForAsync(() => sink.Received - baseline >= total, TimeSpan.FromMinutes(5));
        Console.WriteLine($"publish only:  {total / drainClock.Elapsed.TotalSeconds,8:N0} events/s (relay draining {total:N0} committed rows, incl. start-up; all received by an independent consumer)");

        // Phase 2: both at once, as in a busy service.
        meter.Reset();
        baseline = sink.Received;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(() => CommitAsync(app, perWriter, batch))));
        var committedIn = clock.Elapsed;
        await WaitForAsync(() => sink.Received - baseline >= total, TimeSpan.FromMinutes(5));
        var publishedIn = clock.Elapsed;
        Console.WriteLine($"commit+publish concurrently: {total / publishedIn.TotalSeconds,8:N0} events/s end to end (commits done at {total / committedIn.TotalSeconds:N0}/s)");
        Console.WriteLine($"  publish latency while saturated (backlog included): {meter.Summary()}");

        // Phase 3: steady rate, --rate-batch events per transaction (1: as a service committing per request).
        meter.Reset();
        baseline = sink.Received;
        var sent = 0;
        clock.Restart();
        var tick = TimeSpan.FromMilliseconds(10);
        var inFlight = new List<Task>();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            // A service handles a bounded number of requests at once: at most 32 commits in flight.
            inFlight.RemoveAll(t => t.IsCompleted);
            var due = (int)(clock.Elapsed.TotalSeconds * rate) - sent;
            for (var i = 0; i + rateBatch <= due && inFlight.Count < 32; i += rateBatch)
            {
                inFlight.Add(CommitAsync(app, rateBatch, rateBatch));
                sent += rateBatch;
            }

            await Task.Delay(tick);
        }

        await Task.WhenAll(inFlight);
        await WaitForAsync(() => sink.Received - baseline >= sent, TimeSpan.FromMinutes(2));
        Console.WriteLine($"steady rate: {sent / clock.Elapsed.TotalSeconds:N0} events/s for {seconds} s, {rateBatch} event(s) per transaction");
        Console.WriteLine($"  publish latency (commit -> broker confirm): {meter.Summary()}");

        await app.StopAsync();
        return 0;
    }

    private static async Task<WebApplication> StartAsync(string postgres, string rabbit, string name, bool relay)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Mode"] = "Distributed",
            ["Platform:LogFormat"] = "simple",
            ["Platform:Outbox:RelayEnabled"] = relay.ToString(),
            ["ConnectionStrings:Postgres"] = postgres,
            ["ConnectionStrings:RabbitMq"] = rabbit,
            ["Probe:Name"] = name,
            ["Probe:Consume"] = "false",
            ["Urls"] = "http://127.0.0.1:0",
        });
        // Distributed mode accepts only tokens of a configured identity provider: the tests' own (nothing here calls the API).
        builder.Configuration.AddInMemoryCollection(TestIdentity.Settings());
        builder.AddServiceDefaults("benchmark");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddProbeService();
        builder.AddPlatformBus();
        var app = builder.Build();
        await app.StartAsync();
        return app;
    }

    private static async Task CommitAsync(WebApplication app, int count, int batch)
    {
        for (var done = 0; done < count; done += batch)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ProbeDbContext>();
            for (var i = 0; i < Math.Min(batch, count - done); i++)
            {
                db.AddToOutbox(new ProbeHappened(Guid.Empty, Guid.NewGuid(), done + i, DateTimeOffset.UtcNow));
            }

            await db.SaveChangesAsync();
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException("events did not all arrive at the consumer in time");
            }

            await Task.Delay(5);
        }
    }

    public static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
    }

    /// <summary>Collects the relay's own latency histogram (commit → publish confirm) in-process.</summary>
    private sealed class PublishMeter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<double> _latencies = [];

        public PublishMeter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PlatformDiagnostics.SourceName && instrument.Name == "platform.outbox.publish_latency")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
            {
                lock (_latencies)
                {
                    _latencies.Add(value);
                }
            });
            _listener.Start();
        }

        public void Reset()
        {
            lock (_latencies)
            {
                _latencies.Clear();
            }
        }

        public string Summary()
        {
            double[] sorted;
            lock (_latencies)
            {
                sorted = [.. _latencies.Order()];
            }

            if (sorted.Length == 0)
            {
                return "no samples";
            }

            double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
            return $"p50 {P(0.50):N1} ms, p99 {P(0.99):N1} ms, max {sorted[^1]:N1} ms ({sorted.Length:N0} samples)";
        }

        public void Dispose() => _listener.Dispose();
    }
}
