using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using MassTransit;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.BuildingBlocks.Outbox;

/// <summary>An integration event waiting in the <c>outbox</c> table. Its <see cref="MessageId"/> becomes the bus
/// message id, so a republished row is recognisable downstream.</summary>
public sealed class OutboxMessage
{
    public long Position { get; set; }

    public required Guid MessageId { get; set; }

    public required string MessageType { get; set; }

    public required string Body { get; set; }

    public Guid? TenantId { get; set; }

    public string? TraceParent { get; set; }

    public string? TraceState { get; set; }

    public required DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}

public static class OutboxExtensions
{
    private static readonly ConcurrentDictionary<Type, string> Urns = new();

    /// <summary>Stages <paramref name="message"/> for publishing once the context's transaction commits. The
    /// current trace context is kept with it so that the trace continues in whichever service consumes it.</summary>
    public static OutboxMessage AddToOutbox<T>(this PlatformDbContext db, T message) where T : class
    {
        var activity = Activity.Current;
        var row = new OutboxMessage
        {
            MessageId = NewId.NextSequentialGuid(),
            MessageType = UrnOf(message.GetType()),
            Body = JsonSerializer.Serialize(message, message.GetType(), PlatformJson.Options),
            TenantId = (message as IIntegrationEvent)?.TenantId,
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Outbox.Add(row);
        return row;
    }

    /// <summary>Most items a batched message carries; beyond it the next items start another message.</summary>
    public const int MaxBatchItems = 100;

    /// <summary>Stages <paramref name="item"/> into one message per <paramref name="key"/> of this unit of work, built by
    /// <paramref name="message"/> when the context saves (or when it holds <see cref="MaxBatchItems"/> items): a
    /// message per stock level cost the broker, the outbox and every consumer's inbox a round each, and a burst of
    /// stock changes was as fast as those rounds allowed.</summary>
    public static void AddToOutboxBatch<TKey, TItem, TMessage>(this PlatformDbContext db, TKey key, TItem item, Func<TKey, IReadOnlyList<TItem>, TMessage> message)
        where TKey : notnull
        where TMessage : class
    {
        var batch = (OutboxBatch<TKey, TItem, TMessage>)db.OutboxBatch((typeof(TMessage), key), () => new OutboxBatch<TKey, TItem, TMessage>(key, message));
        batch.Items.Add(item);
        if (batch.Items.Count >= MaxBatchItems)
        {
            db.FlushOutboxBatch((typeof(TMessage), key));
        }
    }

    private static string UrnOf(Type type) =>
        Urns.GetOrAdd(type, t => t.GetCustomAttribute<MessageUrnAttribute>()?.Urn.ToString()
            ?? throw new InvalidOperationException($"{t.FullName} has no [MessageUrn]: only message contracts go through the outbox."));
}

/// <summary>Items staged for one batched message, turned into its outbox row when the context saves.</summary>
internal abstract class OutboxBatch
{
    public abstract void AddTo(PlatformDbContext db);
}

internal sealed class OutboxBatch<TKey, TItem, TMessage>(TKey key, Func<TKey, IReadOnlyList<TItem>, TMessage> message) : OutboxBatch
    where TMessage : class
{
    public List<TItem> Items { get; } = [];

    public override void AddTo(PlatformDbContext db) => db.AddToOutbox(message(key, Items));
}
