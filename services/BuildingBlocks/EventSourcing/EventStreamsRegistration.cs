using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.EventSourcing;

/// <summary>The event store of one service's context: Marten on PostgreSQL, the table store on SQLite.</summary>
public sealed class EventStreams<TContext>(IEventStreams streams) where TContext : PlatformDbContext
{
    public IEventStreams Streams => streams;
}

/// <summary>What a service keeps as event streams: the aggregates whose state is rebuilt from them.</summary>
public sealed class EventStreamsBuilder
{
    internal List<AggregateDefinition> Aggregates { get; } = [];

    internal List<Action<Marten.StoreOptions>> Marten { get; } = [];

    /// <summary>An aggregate: its state before the first event, and the pure fold of one event into it. On PostgreSQL
    /// Marten keeps its snapshot inline (each append folds into the stored state in the same transaction).</summary>
    public EventStreamsBuilder Aggregate<TState>(Func<string, TState> initial, Func<TState, object, TState> apply) where TState : class
    {
        var definition = new AggregateDefinition(typeof(TState), id => initial(id), (s, e) => apply((TState)s, e));
        Aggregates.Add(definition);
        Marten.Add(AggregateSnapshot<TState>.Register(definition));
        return this;
    }
}

public static class EventStreamsRegistration
{
    /// <summary>Gives a service (after <see cref="ServiceDatabaseRegistration.AddServiceDatabase{TContext}"/>) its event
    /// streams: <see cref="EventStore{TContext}"/> over the store its database has, its aggregates, and at start-up
    /// Marten's schema and the upgrade of events written before Marten (<see cref="EventStoreInitializer{TContext}"/>).</summary>
    public static WebApplicationBuilder AddEventStreams<TContext>(this WebApplicationBuilder builder, Action<EventStreamsBuilder>? configure = null)
        where TContext : PlatformDbContext
    {
        var streams = new EventStreamsBuilder();
        configure?.Invoke(streams);
        var aggregates = builder.Services.FindInstance<EventAggregates>();
        if (aggregates is null)
        {
            aggregates = new EventAggregates();
            builder.Services.AddSingleton(aggregates);
        }

        foreach (var definition in streams.Aggregates)
        {
            aggregates.Register(definition);
        }

        builder.Services.AddSingleton(sp =>
        {
            var database = sp.GetRequiredService<ServiceDatabase<TContext>>().Database;
            var types = sp.GetRequiredService<EventTypeMap>();
            IEventStreams store = database.Dialect == SqlDialect.Postgres
                ? new MartenEventStreams(database.ConnectionString, types, streams.Marten)
                : new TableEventStreams(types, aggregates);
            return new EventStreams<TContext>(store);
        });
        builder.Services.AddScoped(sp => new EventStore<TContext>(
            sp.GetRequiredService<TContext>(), sp.GetRequiredService<EventStreams<TContext>>().Streams, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<EventStoreInitializer<TContext>>();
        return builder;
    }
}

/// <summary>At start-up, after the schema scripts: Marten's tables and functions, then — once — the upgrade of a database
/// written before Marten: the rows of its <c>events</c> table are appended to Marten in their order, each stream at its
/// versions with its metadata and first recorded time, and deleted from the table in the same transaction (so an
/// upgrade interrupted half-way is done again whole, and a finished one never twice). Read models are the same tables
/// as before and are kept.</summary>
public sealed class EventStoreInitializer<TContext>(
    IServiceScopeFactory scopes,
    EventStreams<TContext> streams,
    ServiceDatabase<TContext> database,
    ILogger<EventStoreInitializer<TContext>> logger) : IHostedService where TContext : PlatformDbContext
{
    private const int UpgradeBatch = 2_000;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (streams.Streams is not MartenEventStreams marten)
        {
            return;
        }

        await marten.ApplySchemaAsync();
        await UpgradeAsync(cancellationToken);
    }

    /// <summary>Copies the table store's events into Marten (see the class); returns how many were copied.</summary>
    public async Task<int> UpgradeAsync(CancellationToken ct)
    {
        var copied = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // Two replicas starting together: one copies, the other waits and then finds the table empty.
            await AdvisoryLock.AcquireAsync(db, $"event-store-upgrade:{database.Database.Service}", ct);
            var rows = await db.Events.AsNoTracking().OrderBy(e => e.Position).Take(UpgradeBatch).ToListAsync(ct);
            if (rows.Count == 0)
            {
                await tx.CommitAsync(ct);
                break;
            }

            var table = new TableEventStreams(scope.ServiceProvider.GetRequiredService<EventTypeMap>(), new EventAggregates());
            var current = await streams.Streams.VersionsAsync(db, rows.Select(r => r.StreamId).Distinct().ToList(), ct);
            var appends = new List<PendingAppend>();
            foreach (var stream in rows.GroupBy(r => r.StreamId))
            {
                // A row at a version Marten already has cannot be an earlier copy (copy and delete share a transaction):
                // it is an event an instance of the previous version appended after this one started. Deleting it would
                // lose it, so the upgrade stops and says what to do.
                if (stream.Min(r => r.StreamVersion) <= current.GetValueOrDefault(stream.Key))
                {
                    throw new InvalidOperationException(
                        $"Event store upgrade of {database.Database.Service}: stream '{stream.Key}' was written by both this version and the previous one " +
                        $"(version {stream.Min(r => r.StreamVersion)} is in the events table and in Marten). Stop every instance of the previous version " +
                        "before starting this one; the events table is left as it is.");
                }

                appends.AddRange(stream.OrderBy(r => r.StreamVersion).Select(r =>
                {
                    var e = table.Read(r);
                    return new PendingAppend(r.StreamId, r.StreamVersion - 1, [e.Data], e.Metadata, r.RecordedAt);
                }));
            }

            await streams.Streams.WriteAsync(db, appends, ct);
            var last = rows[^1].Position;
            await db.Events.Where(e => e.Position <= last).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
            copied += rows.Count;
        }

        if (copied > 0)
        {
            logger.LogInformation("Event store of {Service} upgraded: {Count} events copied from the events table into Marten", database.Database.Service, copied);
        }

        return copied;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
