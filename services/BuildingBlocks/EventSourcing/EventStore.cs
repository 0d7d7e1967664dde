using System.Diagnostics;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.EventSourcing;

/// <summary>Appends to and loads event streams in one service's database, whichever store is beneath
/// (<see cref="IEventStreams"/>: Marten on PostgreSQL, the table store on SQLite). Appends are staged in the context:
/// the caller's <c>SaveChangesAsync</c> writes them with the read models and outbox rows it changed, in one transaction.</summary>
public sealed class EventStore<TContext>(TContext db, IEventStreams streams, TimeProvider clock) where TContext : PlatformDbContext
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
    /// writer can know it, so its version is 0 without a read. Should the id exist after all, the save is refused.</summary>
    public long StartStream(string streamId, IReadOnlyList<object> events, EventMetadata? metadata = null, DateTimeOffset? at = null) =>
        AppendAfter(streamId, 0, events, metadata, at);

    /// <summary>Stages <paramref name="events"/> after a version this unit of work has just read
    /// (<see cref="CurrentVersionsAsync"/>, for many streams at once), without reading it again: a writer that
    /// commits in between makes the save fail with <see cref="StreamConcurrencyException"/>.</summary>
    /// <param name="at">When the events happened, as the unit of work's own clock says (its read models carry the same
    /// time, so a projection rebuilt from the events matches them); now by default.</param>
    public long AppendAfter(string streamId, long versionRead, IReadOnlyList<object> events, EventMetadata? metadata = null, DateTimeOffset? at = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamId);
        return events.Count == 0 ? versionRead : Stage(streamId, versionRead, events, metadata, at);
    }

    private long Stage(string streamId, long expectedVersion, IReadOnlyList<object> events, EventMetadata? metadata, DateTimeOffset? at = null)
    {
        var trace = Activity.Current;
        var given = metadata ?? new EventMetadata();
        var meta = given with
        {
            Actor = given.Actor ?? db.Actor ?? "system",
            TraceParent = given.TraceParent ?? trace?.Id,
            CorrelationId = given.CorrelationId ?? (trace is null ? null : trace.TraceId.ToHexString()),
            CausationId = given.CausationId ?? db.Cause,
        };
        db.StageEvents(streams, new PendingAppend(streamId, expectedVersion, events, meta, at ?? clock.GetUtcNow()));
        return expectedVersion + events.Count;
    }

    /// <summary>The current version of each stream (0 for one without events), in one query; events this unit of
    /// work has staged count.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CurrentVersionsAsync(IReadOnlyCollection<string> streamIds, CancellationToken ct = default)
    {
        var stored = await streams.VersionsAsync(db, streamIds.Distinct().ToList(), ct);
        return streamIds.Distinct().ToDictionary(id => id, id => Math.Max(stored.GetValueOrDefault(id), db.StagedVersion(id)));
    }

    public async Task<long> CurrentVersionAsync(string streamId, CancellationToken ct = default) =>
        (await CurrentVersionsAsync([streamId], ct))[streamId];

    /// <summary>The stream's saved events from <paramref name="fromVersion"/>, in order, with their metadata.</summary>
    public Task<IReadOnlyList<StoredEvent>> LoadAsync(string streamId, long fromVersion = 1, CancellationToken ct = default) =>
        streams.LoadAsync(db, streamId, fromVersion, ct);

    /// <summary>Rebuilds a state by folding its stream through a pure <paramref name="apply"/> function.</summary>
    public async Task<(TState State, long Version)> AggregateAsync<TState>(
        string streamId, TState initial, Func<TState, object, TState> apply, CancellationToken ct = default)
    {
        var events = await LoadAsync(streamId, ct: ct);
        var state = events.Aggregate(initial, (s, e) => apply(s, e.Data));
        return (state, events.Count == 0 ? 0 : events[^1].Version);
    }

    /// <summary>A registered aggregate's state and the stream's version (null and 0 for a stream without events):
    /// from Marten's inline snapshot, or folded by the table store. Events staged and not yet saved are not in it.</summary>
    public Task<(TState? State, long Version)> StateAsync<TState>(string streamId, CancellationToken ct = default) where TState : class =>
        streams.StateAsync<TState>(db, streamId, ct);
}
