namespace Rakuten.Platform.BuildingBlocks.EventSourcing;

/// <summary>One row of the append-only <c>events</c> table of the table store (<see cref="TableEventStreams"/>:
/// SQLite, the embedded mode; and on PostgreSQL the table written before Marten, read once to upgrade). (stream id,
/// version) is unique: that key is the optimistic concurrency check.</summary>
public sealed class EventRecord
{
    public long Position { get; set; }

    public required string StreamId { get; set; }

    public required long StreamVersion { get; set; }

    public required string EventType { get; set; }

    public required string Data { get; set; }

    public required string Metadata { get; set; }

    public required DateTimeOffset RecordedAt { get; set; }
}

/// <summary>Who and what caused an event, kept beside it so that a stream can be audited and traced: the tenant, the
/// actor (<c>user:…</c>, <c>api-key:…</c>, <c>consumer:…</c>, <c>system:…</c>), the message or request that caused it,
/// the correlation id (the W3C trace id: one id across every service the flow crossed) and the traceparent.</summary>
public sealed record EventMetadata(
    Guid? TenantId = null,
    string? CorrelationId = null,
    string? CausationId = null,
    string? TraceParent = null,
    string? Actor = null);

/// <summary>An event read back from its stream. <c>Type</c> is its stored name (<c>[StoredEvent]</c>).</summary>
public sealed record StoredEvent(long Position, string StreamId, long Version, object Data, EventMetadata Metadata, DateTimeOffset RecordedAt)
{
    public string Type { get; init; } = "";
}

/// <summary>Another writer appended to the stream after it was read: reload and decide again.</summary>
public sealed class StreamConcurrencyException(string streamId, long expectedVersion, Exception? inner = null)
    : Exception($"Stream '{streamId}' is no longer at version {expectedVersion}: another writer appended first. Nothing was written; reload the stream and retry.", inner)
{
    public string StreamId { get; } = streamId;

    public long ExpectedVersion { get; } = expectedVersion;
}

/// <summary>Names a domain event type as stored in the event store; the name, not the CLR type, is what
/// the store keeps, so the record can be moved or renamed.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StoredEventAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
