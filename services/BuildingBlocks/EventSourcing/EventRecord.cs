namespace Rakuten.Platform.BuildingBlocks.EventSourcing;

/// <summary>One row of the append-only <c>events</c> table. (stream id, version) is unique: that key is the
/// optimistic concurrency check.</summary>
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

/// <summary>Who and what caused an event: kept beside it so that a stream can be audited and traced.</summary>
public sealed record EventMetadata(
    Guid? TenantId = null,
    Guid? CorrelationId = null,
    Guid? CausationId = null,
    string? TraceParent = null);

/// <summary>An event read back from its stream.</summary>
public sealed record StoredEvent(long Position, string StreamId, long Version, object Data, EventMetadata Metadata, DateTimeOffset RecordedAt);

/// <summary>Another writer appended to the stream after it was read: reload and decide again.</summary>
public sealed class StreamConcurrencyException(string streamId, long expectedVersion, Exception? inner = null)
    : Exception($"Stream '{streamId}' is no longer at version {expectedVersion}: another writer appended first. Nothing was written; reload the stream and retry.", inner)
{
    public string StreamId { get; } = streamId;

    public long ExpectedVersion { get; } = expectedVersion;
}

/// <summary>Names a domain event type as stored in the event store; the name, not the CLR type, is what
/// the table keeps, so the record can be moved or renamed.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StoredEventAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
