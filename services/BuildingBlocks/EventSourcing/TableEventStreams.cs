using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.EventSourcing;

/// <summary>The event store of the embedded mode: the service context's <c>events</c> table (SQLite has no Marten).
/// The unique (stream id, version) key is the optimistic concurrency check; an aggregate's state is folded from its
/// stream through the same pure <c>Apply</c> Marten's snapshot uses (embedded streams are short: no snapshot table).</summary>
public sealed class TableEventStreams(EventTypeMap types, EventAggregates aggregates) : IEventStreams
{
    public string Name => "table";

    public async Task<IReadOnlyDictionary<string, long>> VersionsAsync(PlatformDbContext db, IReadOnlyCollection<string> streamIds, CancellationToken ct)
    {
        var found = await db.Events.AsNoTracking().Where(e => streamIds.Contains(e.StreamId)).GroupBy(e => e.StreamId)
            .Select(g => new { StreamId = g.Key, Version = g.Max(e => e.StreamVersion) }).ToDictionaryAsync(v => v.StreamId, v => v.Version, ct);
        return found;
    }

    public async Task<IReadOnlyList<StoredEvent>> LoadAsync(PlatformDbContext db, string streamId, long fromVersion, CancellationToken ct) =>
        (await db.Events.AsNoTracking()
            .Where(e => e.StreamId == streamId && e.StreamVersion >= fromVersion)
            .OrderBy(e => e.StreamVersion)
            .ToListAsync(ct)).Select(Read).ToList();

    public async Task<(TState? State, long Version)> StateAsync<TState>(PlatformDbContext db, string streamId, CancellationToken ct) where TState : class
    {
        var definition = aggregates.For(typeof(TState));
        var events = await LoadAsync(db, streamId, 1, ct);
        if (events.Count == 0)
        {
            return (null, 0);
        }

        var state = events.Aggregate(definition.Initial(streamId), (s, e) => definition.Apply(s, e.Data));
        return ((TState)state, events[^1].Version);
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(PlatformDbContext db, long afterPosition, int max, CancellationToken ct) =>
        (await db.Events.AsNoTracking().Where(e => e.Position > afterPosition).OrderBy(e => e.Position).Take(max).ToListAsync(ct)).Select(Read).ToList();

    public Task WriteAsync(PlatformDbContext db, IReadOnlyList<PendingAppend> appends, CancellationToken ct)
    {
        // Rows in the context: the save that follows inserts them with the state, and the (stream, version) key refuses a
        // stream that moved on (PlatformDbContext turns that into StreamConcurrencyException).
        foreach (var append in appends)
        {
            var metadata = JsonSerializer.Serialize(append.Metadata, PlatformJson.Options);
            var version = append.ExpectedVersion;
            foreach (var e in append.Events)
            {
                db.Events.Add(new EventRecord
                {
                    StreamId = append.StreamId,
                    StreamVersion = ++version,
                    EventType = types.NameOf(e.GetType()),
                    Data = JsonSerializer.Serialize(e, e.GetType(), PlatformJson.Options),
                    Metadata = metadata,
                    RecordedAt = append.At,
                });
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>A row of the table as the event it holds.</summary>
    public StoredEvent Read(EventRecord r) =>
        new(r.Position, r.StreamId, r.StreamVersion, JsonSerializer.Deserialize(r.Data, types.TypeOf(r.EventType), PlatformJson.Options)!,
            JsonSerializer.Deserialize<EventMetadata>(r.Metadata, PlatformJson.Options)!, r.RecordedAt) { Type = r.EventType };
}
