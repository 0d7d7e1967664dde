using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.EventSourcing;

/// <summary>Events staged by a unit of work, written when its context saves. <c>At</c> is when they happened (the unit of
/// work's clock, or when they were first recorded for an upgrade copying them): the store keeps that time.</summary>
public sealed record PendingAppend(string StreamId, long ExpectedVersion, IReadOnlyList<object> Events, EventMetadata Metadata, DateTimeOffset At);

/// <summary>The event store beneath a service: the narrowest port that both Marten (PostgreSQL) and the table store
/// (SQLite, embedded mode) serve. Everything runs on the service context's own connection and transaction, so events,
/// read models, outbox and inbox rows commit together. Services never see it: they use <see cref="EventStore{TContext}"/>.</summary>
public interface IEventStreams
{
    /// <summary>"marten" or "table": for the logs and the docs, never for a decision in a service.</summary>
    string Name { get; }

    /// <summary>The current version of each stream (0 for one without events), in one query.</summary>
    Task<IReadOnlyDictionary<string, long>> VersionsAsync(PlatformDbContext db, IReadOnlyCollection<string> streamIds, CancellationToken ct);

    Task<IReadOnlyList<StoredEvent>> LoadAsync(PlatformDbContext db, string streamId, long fromVersion, CancellationToken ct);

    /// <summary>The aggregate's state and version: Marten reads its inline snapshot; the table store folds the stream.</summary>
    Task<(TState? State, long Version)> StateAsync<TState>(PlatformDbContext db, string streamId, CancellationToken ct) where TState : class;

    /// <summary>Every event after <paramref name="afterPosition"/> in the order they were committed, up to <paramref name="max"/>
    /// (projection rebuilds).</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAllAsync(PlatformDbContext db, long afterPosition, int max, CancellationToken ct);

    /// <summary>Writes <paramref name="appends"/> inside the context's current transaction (begun by the save), checking
    /// each stream's expected version; a stream that moved on throws <see cref="StreamConcurrencyException"/>.</summary>
    Task WriteAsync(PlatformDbContext db, IReadOnlyList<PendingAppend> appends, CancellationToken ct);
}
