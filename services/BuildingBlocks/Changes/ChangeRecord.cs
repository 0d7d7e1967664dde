using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Changes;

/// <summary>One row of the <c>change_feed</c> table: a watched resource (<see cref="Subject"/> of <see cref="Topic"/>) as it
/// was after a change, written in the transaction of the change. The database gives the position (and, on PostgreSQL,
/// the writing transaction's id), which make the watch's resume token.</summary>
public sealed class ChangeRecord
{
    public long Position { get; set; }

    public required Guid TenantId { get; init; }

    public required string Topic { get; init; }

    public required string Subject { get; init; }

    /// <summary>The resource as the public API shows it (a serialized protobuf message).</summary>
    public required byte[] Data { get; init; }

    /// <summary>Unix milliseconds.</summary>
    public required long RecordedAt { get; init; }
}

public static class ChangeRecording
{
    /// <summary>Stages a change of <paramref name="subject"/> in the context: it is written with the change itself, or not at all.</summary>
    public static void RecordChange(this PlatformDbContext db, Guid tenantId, string topic, string subject, byte[] data, DateTimeOffset at) =>
        db.Changes.Add(new ChangeRecord { TenantId = tenantId, Topic = topic, Subject = subject, Data = data, RecordedAt = at.ToUnixTimeMilliseconds() });
}
