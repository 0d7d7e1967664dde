using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.EventSourcing;

/// <summary>Appends to and loads event streams in one service's database. <see cref="AppendAsync"/> stages the
/// rows in the context: the caller's <c>SaveChangesAsync</c> writes them together with the read models and
/// outbox rows it changed, in one transaction.</summary>
public sealed class EventStore<TContext>(TContext db, EventTypeMap types, TimeProvider clock) where TContext : PlatformDbContext
{
    public TContext Db => db;

    /// <summary>Stages <paramref name="events"/> after version <paramref name="expectedVersion"/> (0 = a new
    /// stream). Throws <see cref="StreamConcurrencyException"/> when the stream has moved on — here if it is
    /// already visible, or from SaveChanges if another writer commits first.</summary>
    public async Task<long> AppendAsync(
        string streamId, long expectedVersion, IReadOnlyList<object> events, EventMetadata? metadata = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamId);
        if (events.Count == 0)
        {
            return expectedVersion;
        }

        var current = await CurrentVersionAsync(streamId, ct);
        if (current != expectedVersion)
        {
            throw new StreamConcurrencyException(streamId, expectedVersion);
        }

        return Stage(streamId, expectedVersion, events, metadata);
    }

    /// <summary>Stages the first events of a stream whose id was made a moment ago (a new order's Guid): no other
    /// writer can know it, so its version is 0 without a read. Should the id exist after all, the stream's
    /// (id, version) key refuses the save.</summary>
    public long StartStream(string streamId, IReadOnlyList<object> events, EventMetadata? metadata = null) => AppendAfter(streamId, 0, events, metadata);

    /// <summary>Stages <paramref name="events"/> after a version this transaction has just read
    /// (<see cref="CurrentVersionsAsync"/>, for many streams at once), without reading it again: a writer that
    /// commits in between makes the save fail on the stream's (id, version) key.</summary>
    public long AppendAfter(string streamId, long versionRead, IReadOnlyList<object> events, EventMetadata? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamId);
        return Stage(streamId, versionRead, events, metadata);
    }

    private long Stage(string streamId, long expectedVersion, IReadOnlyList<object> events, EventMetadata? metadata)
    {
        var meta = (metadata ?? new EventMetadata()) with { TraceParent = metadata?.TraceParent ?? Activity.Current?.Id };
        var metaJson = JsonSerializer.Serialize(meta, PlatformJson.Options);
        var now = clock.GetUtcNow();
        var version = expectedVersion;
        foreach (var e in events)
        {
            db.Events.Add(new EventRecord
            {
                StreamId = streamId,
                StreamVersion = ++version,
                EventType = types.NameOf(e.GetType()),
                Data = JsonSerializer.Serialize(e, e.GetType(), PlatformJson.Options),
                Metadata = metaJson,
                RecordedAt = now,
            });
        }

        return version;
    }

    /// <summary>The current version of each stream (0 for one without events), in one query.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CurrentVersionsAsync(IReadOnlyCollection<string> streamIds, CancellationToken ct = default)
    {
        var found = await db.Events.AsNoTracking().Where(e => streamIds.Contains(e.StreamId)).GroupBy(e => e.StreamId)
            .Select(g => new { StreamId = g.Key, Version = g.Max(e => e.StreamVersion) }).ToDictionaryAsync(v => v.StreamId, v => v.Version, ct);
        return streamIds.Distinct().ToDictionary(id => id, id => found.GetValueOrDefault(id));
    }

    public async Task<long> CurrentVersionAsync(string streamId, CancellationToken ct = default) =>
        await db.Events.AsNoTracking().Where(e => e.StreamId == streamId).MaxAsync(e => (long?)e.StreamVersion, ct) ?? 0;

    public async Task<IReadOnlyList<StoredEvent>> LoadAsync(string streamId, long fromVersion = 1, CancellationToken ct = default)
    {
        var rows = await db.Events.AsNoTracking()
            .Where(e => e.StreamId == streamId && e.StreamVersion >= fromVersion)
            .OrderBy(e => e.StreamVersion)
            .ToListAsync(ct);
        return rows.Select(r => new StoredEvent(
                r.Position,
                r.StreamId,
                r.StreamVersion,
                JsonSerializer.Deserialize(r.Data, types.TypeOf(r.EventType), PlatformJson.Options)!,
                JsonSerializer.Deserialize<EventMetadata>(r.Metadata, PlatformJson.Options)!,
                r.RecordedAt))
            .ToList();
    }

    /// <summary>Rebuilds a state by folding its stream through a pure <paramref name="apply"/> function.</summary>
    public async Task<(TState State, long Version)> AggregateAsync<TState>(
        string streamId, TState initial, Func<TState, object, TState> apply, CancellationToken ct = default)
    {
        var events = await LoadAsync(streamId, ct: ct);
        var state = events.Aggregate(initial, (s, e) => apply(s, e.Data));
        return (state, events.Count == 0 ? 0 : events[^1].Version);
    }
}
