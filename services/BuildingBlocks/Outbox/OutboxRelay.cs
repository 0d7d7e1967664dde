using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Outbox;

/// <summary>The <c>Platform:Outbox</c> section.</summary>
public sealed record OutboxOptions(
    bool RelayEnabled,
    int BatchSize,
    int Workers,
    TimeSpan SweepInterval,
    TimeSpan Retention,
    TimeSpan EndpointsWait)
{
    public static OutboxOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Platform:Outbox");
        return new OutboxOptions(
            section.GetValue("RelayEnabled", true),
            section.GetValue("BatchSize", 500),
            section.GetValue("Workers", 2),
            section.GetValue("SweepInterval", TimeSpan.FromSeconds(2)),
            section.GetValue("Retention", TimeSpan.FromDays(3)),
            section.GetValue("EndpointsWait", TimeSpan.FromMinutes(2)));
    }
}

/// <summary>Publishes committed outbox rows: woken right after each commit, and every sweep interval for
/// anything left over (a crash between commit and publish, a broker outage). Rows are claimed in batches and
/// published with many confirms in flight — awaiting each confirm in turn caps RabbitMQ at ~2.5k msg/s here
/// (DESIGN §9). On PostgreSQL the batch is claimed with <c>FOR UPDATE SKIP LOCKED</c>, so several workers and
/// replicas never publish the same row at once; a crash after publishing but before marking republishes the
/// row with the same message id, which consumers' inboxes recognise.</summary>
public sealed class OutboxRelay<TContext>(
    IBus bus,
    ContractTypes contracts,
    OutboxSignal<TContext> signal,
    ServiceDatabase<TContext> database,
    OutboxOptions options,
    TimeProvider clock,
    ILogger<OutboxRelay<TContext>> logger) : BackgroundService where TContext : PlatformDbContext
{
    private readonly PooledDbContextFactory<TContext> _contexts = ContextFactory(database.Database);
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    private static PooledDbContextFactory<TContext> ContextFactory(ServiceDatabase database)
    {
        var options = new DbContextOptionsBuilder<TContext>();
        database.ForApplication($"{database.Service}-outbox-relay").Configure(options);
        return new PooledDbContextFactory<TContext>(options.Options);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The failure and duplicate counters exist from the start, at 0: a rate over a series that appears only at its
        // first increment misses that increment, and an alert on it would wait for the second.
        PlatformDiagnostics.OutboxPublishFailures.Add(0);
        PlatformDiagnostics.InboxDuplicates.Add(0);
        if (!options.RelayEnabled)
        {
            logger.LogWarning("Outbox relay of {Service} is disabled (Platform:Outbox:RelayEnabled=false)", database.Database.Service);
            return;
        }

        await WaitForEndpointsAsync(stoppingToken);

        // SQLite has a single writer and no row locks: one worker. PostgreSQL: several, disjoint by SKIP LOCKED.
        var workers = database.Database.Dialect == SqlDialect.Postgres ? Math.Max(1, options.Workers) : 1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken)));
    }

    /// <summary>The bus starts in the background (start-up does not wait for the broker). RabbitMQ drops a message
    /// published to a message type no queue is bound to yet, and confirms it all the same: on a fresh broker (or with
    /// temporary queues), rows relayed before this process's receive endpoints have declared their queues would be lost
    /// to its own consumers. So the relay waits for them, up to <c>Platform:Outbox:EndpointsWait</c>, after which it
    /// relays anyway rather than hold everything back for one endpoint that cannot start.</summary>
    private async Task WaitForEndpointsAsync(CancellationToken ct)
    {
        if (bus is not IBusControl control)
        {
            return;
        }

        var waited = Stopwatch.StartNew();
        while (control.CheckHealth().Status != BusHealthStatus.Healthy && !ct.IsCancellationRequested)
        {
            if (waited.Elapsed >= options.EndpointsWait)
            {
                logger.LogWarning("Outbox relay of {Service}: the bus is not healthy after {Waited}; relaying anyway", database.Database.Service, waited.Elapsed);
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            int published;
            try
            {
                published = await RelayBatchAsync(stoppingToken);
                failures = 0;
                await PruneIfDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                PlatformDiagnostics.OutboxPublishFailures.Add(1);
                var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 7))));
                logger.LogWarning(ex, "Outbox relay of {Service} failed; retrying in {Delay}", database.Database.Service, delay);
                await Task.Delay(delay, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }

            if (published < options.BatchSize)
            {
                try
                {
                    await signal.WaitAsync(options.SweepInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims, publishes and marks one batch. Returns how many rows it published.</summary>
    public async Task<int> RelayBatchAsync(CancellationToken ct)
    {
        await using var db = await _contexts.CreateDbContextAsync(ct);
        var postgres = database.Database.Dialect == SqlDialect.Postgres;

        // PostgreSQL: hold the claimed rows' locks until they are marked, so that no other worker takes them.
        await using var tx = postgres ? await db.Database.BeginTransactionAsync(ct) : null;
        var sql = postgres
            ? "SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY position LIMIT {0} FOR UPDATE SKIP LOCKED"
            : "SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY position LIMIT {0}";
        var batch = await db.Outbox.FromSqlRaw(sql, options.BatchSize).AsNoTracking().ToListAsync(ct);
        if (batch.Count == 0)
        {
            return 0;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var results = await Task.WhenAll(batch.Select(row => PublishAsync(row, timeout.Token)));

        var sent = batch.Where((_, i) => results[i] is null).Select(r => r.Position).ToList();
        var now = clock.GetUtcNow();
        if (sent.Count > 0)
        {
            await db.Outbox.Where(m => sent.Contains(m.Position))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.SentAt, now), CancellationToken.None);
        }

        foreach (var (row, error) in batch.Zip(results).Where(p => p.Second is not null))
        {
            await db.Outbox.Where(m => m.Position == row.Position)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Attempts, m => m.Attempts + 1).SetProperty(m => m.LastError, error), CancellationToken.None);
        }

        if (tx is not null)
        {
            await tx.CommitAsync(CancellationToken.None);
        }

        PlatformDiagnostics.OutboxPublished.Add(sent.Count);
        if (sent.Count < batch.Count)
        {
            throw new InvalidOperationException(
                $"{batch.Count - sent.Count} of {batch.Count} outbox message(s) were not published; first error: {results.First(r => r is not null)}");
        }

        return sent.Count;
    }

    private async Task<string?> PublishAsync(OutboxMessage row, CancellationToken ct)
    {
        ActivityContext.TryParse(row.TraceParent, row.TraceState, out var parent);
        using var activity = PlatformDiagnostics.ActivitySource.StartActivity(
            $"outbox publish {row.MessageType}", ActivityKind.Producer, parent);
        try
        {
            var type = contracts.TypeOf(row.MessageType);
            var message = JsonSerializer.Deserialize(row.Body, type, PlatformJson.Options)
                          ?? throw new InvalidOperationException($"Outbox row {row.Position} has an empty body.");
            await bus.Publish(message, type, context =>
            {
                context.MessageId = row.MessageId;
                if (row.TenantId is { } tenant)
                {
                    context.Headers.Set("tenant-id", tenant.ToString());
                }
            }, ct);
            PlatformDiagnostics.OutboxPublishLatency.Record((clock.GetUtcNow() - row.CreatedAt).TotalMilliseconds);
            return null;
        }
        catch (Exception ex)
        {
            // A failed publish (broker down, batch timed out) leaves the row unsent for the next attempt.
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    private async Task PruneIfDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - _lastPrune < TimeSpan.FromHours(1))
        {
            return;
        }

        _lastPrune = now;
        await using var db = await _contexts.CreateDbContextAsync(ct);
        var cutoff = now - options.Retention;

        // Sent rows and old inbox marks are only history: without pruning both tables grow forever (DESIGN §12).
        // An inbox mark older than the retention can only matter for a redelivery older than that, which the
        // broker no longer holds.
        var outbox = await db.Outbox.Where(m => m.SentAt != null && m.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
        var inbox = await db.Inbox.Where(i => i.ProcessedAt < cutoff).ExecuteDeleteAsync(ct);
        if (outbox + inbox > 0)
        {
            logger.LogInformation("Pruned {Outbox} sent outbox row(s) and {Inbox} inbox mark(s) older than {Cutoff}", outbox, inbox, cutoff);
        }
    }
}
