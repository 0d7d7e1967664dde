using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Aggregation;
using Marten.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.EventSourcing;

/// <summary>The event store on PostgreSQL: Marten (DESIGN §4), in schema <see cref="Schema"/> of the service's own
/// database. Every write runs in a Marten session enlisted in the EF context's transaction
/// (<c>SessionOptions.ForTransaction</c>), so events, inline snapshots, read models, outbox and inbox rows commit or
/// roll back together. Stream ids are strings (<c>order-{id}</c>); events are stored under their <c>[StoredEvent]</c>
/// names; who, why and the trace go into each event's metadata (correlation, causation, headers).</summary>
public sealed class MartenEventStreams : IEventStreams, IDisposable
{
    public const string Schema = "event_store";

    private readonly DocumentStore _store;

    public MartenEventStreams(string connectionString, EventTypeMap types, IEnumerable<Action<StoreOptions>> aggregates)
    {
        _store = DocumentStore.For(o =>
        {
            o.Connection(connectionString);
            o.DatabaseSchemaName = Schema;
            o.Events.DatabaseSchemaName = Schema;
            o.Events.StreamIdentity = StreamIdentity.AsString;
            o.Events.MetadataConfig.EnableAll();
            // Quick append: one round trip per batch; the versions are still checked (the expected version of each stream).
            o.Events.AppendMode = EventAppendMode.Quick;
            o.UseSystemTextJsonForSerialization(new JsonSerializerOptions(PlatformJson.Options));
            foreach (var (type, name) in types.All)
            {
                o.Events.MapEventType(type, name);
            }

            foreach (var aggregate in aggregates)
            {
                aggregate(o);
            }

            o.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        });
    }

    public string Name => "marten";

    public IDocumentStore Store => _store;

    /// <summary>Creates or updates Marten's tables and functions (at start-up, before anything appends).</summary>
    public Task ApplySchemaAsync() => _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

    public async Task<IReadOnlyDictionary<string, long>> VersionsAsync(PlatformDbContext db, IReadOnlyCollection<string> streamIds, CancellationToken ct)
    {
        if (streamIds.Count == 0)
        {
            return new Dictionary<string, long>();
        }

        // One query for many streams (Marten fetches stream states one at a time): its streams table, read on the
        // context's connection so that this transaction's own appends count.
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(ct);
        }

        try
        {
            await using var command = new NpgsqlCommand($"SELECT id, version FROM {Schema}.mt_streams WHERE id = ANY(@ids)", connection,
                db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction);
            command.Parameters.AddWithValue("ids", streamIds.ToArray());
            var found = new Dictionary<string, long>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                found[reader.GetString(0)] = reader.GetInt64(1);
            }

            return found;
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    public async Task<IReadOnlyList<StoredEvent>> LoadAsync(PlatformDbContext db, string streamId, long fromVersion, CancellationToken ct)
    {
        await using var session = Reading(db);
        var events = await session.Events.FetchStreamAsync(streamId, token: ct);
        return events.Where(e => e.Version >= fromVersion).Select(Read).ToList();
    }

    public async Task<(TState? State, long Version)> StateAsync<TState>(PlatformDbContext db, string streamId, CancellationToken ct) where TState : class
    {
        await using var session = Writing(db);
        var stream = await session.Events.FetchForWriting<TState>(streamId, ct);
        return (stream.Aggregate, stream.CurrentVersion ?? 0);
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(PlatformDbContext db, long afterPosition, int max, CancellationToken ct)
    {
        await using var session = Reading(db);
        var events = await Marten.QueryableExtensions.ToListAsync(session.Events.QueryAllRawEvents().Where(e => e.Sequence > afterPosition).OrderBy(e => e.Sequence).Take(max), ct);
        return events.Select(Read).ToList();
    }

    public async Task WriteAsync(PlatformDbContext db, IReadOnlyList<PendingAppend> appends, CancellationToken ct)
    {
        await using var session = Writing(db);
        foreach (var group in appends.GroupBy(a => a.StreamId))
        {
            // Several appends to one stream in one unit of work are one append: the first's expected version, every event
            // — when each starts where the one before ends, as on the table store, whose key would refuse anything else.
            var first = group.First();
            var end = first.ExpectedVersion;
            foreach (var append in group)
            {
                if (append.ExpectedVersion != end)
                {
                    throw new StreamConcurrencyException(group.Key, append.ExpectedVersion);
                }

                end += append.Events.Count;
            }

            var events = group.SelectMany(a => a.Events.Select(e => Wrap(session, e, a))).ToArray();
            if (first.ExpectedVersion == 0)
            {
                session.Events.StartStream(group.Key, events);
            }
            else
            {
                // Marten's expected version is the one the stream will have after the append.
                session.Events.Append(group.Key, first.ExpectedVersion + events.Length, events);
            }
        }

        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (Conflict(ex) is { } conflict)
        {
            var refused = appends.FirstOrDefault(a => ex.Message.Contains(a.StreamId, StringComparison.Ordinal)) ?? appends[0];
            throw new StreamConcurrencyException(refused.StreamId, refused.ExpectedVersion, conflict);
        }
    }

    private static IEvent Wrap(IDocumentSession session, object data, PendingAppend append)
    {
        var e = session.Events.BuildEvent(data);
        e.CorrelationId = append.Metadata.CorrelationId;
        e.CausationId = append.Metadata.CausationId;
        e.UserName = append.Metadata.Actor;
        if (append.Metadata.TenantId is { } tenant)
        {
            e.SetHeader("tenant", tenant.ToString());
        }

        if (append.Metadata.TraceParent is { } trace)
        {
            e.SetHeader("traceparent", trace);
        }

        if (append.Metadata.Actor is { } actor)
        {
            e.SetHeader("actor", actor);
        }

        // The time the unit of work says the event happened (Marten's own timestamp is the database's at the append).
        e.SetHeader("recorded_at", append.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

        return e;
    }

    /// <summary>Marten's refusals of a stream that moved on (an unexpected version, a stream id that already exists).</summary>
    private static Exception? Conflict(Exception ex)
    {
        for (var e = (Exception?)ex; e is not null; e = e.InnerException)
        {
            if (e is EventStreamUnexpectedMaxEventIdException or JasperFx.Events.ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException
                || (e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg && pg.TableName is "mt_events" or "mt_streams"))
            {
                return e;
            }
        }

        return null;
    }

    private static StoredEvent Read(IEvent e) =>
        new(e.Sequence, e.StreamKey!, e.Version, e.Data,
            new EventMetadata(
                Guid.TryParse(e.GetHeader("tenant")?.ToString(), out var tenant) ? tenant : null,
                e.CorrelationId, e.CausationId, e.GetHeader("traceparent")?.ToString(), e.GetHeader("actor")?.ToString() ?? e.UserName),
            RecordedAt(e)) { Type = e.EventTypeName };

    // The unit of work's time (a header; events copied from the table store keep the time they were first recorded).
    private static DateTimeOffset RecordedAt(IEvent e) => e.GetHeader("recorded_at") switch
    {
        // Headers come back as whatever the serializer made of them: a date already, or the text written.
        DateTimeOffset at => at,
        DateTime at => new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)),
        JsonElement { ValueKind: JsonValueKind.String } text => Parse(text.GetString()) ?? e.Timestamp,
        string text => Parse(text) ?? e.Timestamp,
        _ => e.Timestamp,
    };

    private static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at) ? at : null;

    /// <summary>A session on the context's connection and inside its transaction (never committing it): the save commits.</summary>
    private IDocumentSession Writing(PlatformDbContext db) =>
        db.Database.CurrentTransaction?.GetDbTransaction() is NpgsqlTransaction tx
            ? _store.LightweightSession(SessionOptions.ForTransaction(tx, false))
            : _store.LightweightSession();

    /// <summary>Reads inside the context's transaction see its own appends; outside one, Marten's own connection will do.</summary>
    private IQuerySession Reading(PlatformDbContext db) =>
        db.Database.CurrentTransaction?.GetDbTransaction() is NpgsqlTransaction tx
            ? _store.QuerySession(SessionOptions.ForTransaction(tx, false))
            : _store.QuerySession();

    public void Dispose() => _store.Dispose();
}

/// <summary>Marten's inline snapshot of an aggregate: each append folds its events into the stored state, in the same
/// transaction, through the aggregate's own pure <c>Apply</c> (the one the table store folds with).</summary>
public sealed class AggregateSnapshot<TState>(AggregateDefinition definition) : SingleStreamProjection<TState, string> where TState : class
{
    public override TState Evolve(TState? snapshot, string id, IEvent e) => (TState)definition.Apply(snapshot ?? definition.Initial(id), e.Data);

    public static Action<StoreOptions> Register(AggregateDefinition definition) =>
        o => o.Projections.Add(new AggregateSnapshot<TState>(definition), ProjectionLifecycle.Inline);
}
