using System.Runtime.ExceptionServices;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Inbox;

/// <summary>(message id, consumer): this consumer's effect for this message is committed.</summary>
public sealed class InboxEntry
{
    public required Guid MessageId { get; set; }

    public required string Consumer { get; set; }

    public required DateTimeOffset ProcessedAt { get; set; }
}

public static class InboxExtensions
{
    /// <summary>Runs <paramref name="effect"/> — which changes the context: state, events, outbox rows — and
    /// commits it together with the inbox mark for (message id, <paramref name="consumer"/>), once. A duplicate
    /// delivery, even one racing the first, finds the mark (or loses on its key), changes nothing and returns
    /// false, so the consumer acknowledges it. Any other failure propagates: the message is not acknowledged.</summary>
    public static async Task<bool> ExecuteOnceAsync<TContext>(
        this TContext db, ConsumeContext context, string consumer, Func<CancellationToken, Task> effect, ILogger? logger = null)
        where TContext : PlatformDbContext
    {
        return await db.ExecuteOnceAsync(context.MessageIdFor(consumer), consumer, effect, logger, context.CancellationToken);
    }

    /// <summary>The id the inbox marks a delivery with; a message without one cannot be deduplicated and is refused.</summary>
    public static Guid MessageIdFor(this ConsumeContext context, string consumer) =>
        context.MessageId ?? throw new InvalidOperationException($"{consumer}: message without a MessageId cannot be deduplicated.");

    /// <inheritdoc cref="ExecuteOnceAsync{TContext}(TContext, ConsumeContext, string, Func{CancellationToken, Task}, ILogger?)"/>
    public static async Task<bool> ExecuteOnceAsync<TContext>(
        this TContext db, Guid messageId, string consumer, Func<CancellationToken, Task> effect, ILogger? logger, CancellationToken ct)
        where TContext : PlatformDbContext =>
        (await db.ExecuteOnceAsync([messageId], consumer, (_, token) =>
        {
            db.Actor = $"consumer:{consumer}";
            db.Cause = messageId.ToString();
            return effect(token);
        }, logger, ct)).Count == 1;

    /// <summary>A batch of deliveries (a MassTransit <c>Batch&lt;T&gt;</c>) in one transaction with one inbox mark
    /// each: the messages already marked are left out, the others' effect commits with their marks, or nothing does.
    /// A redelivered or retried batch therefore repeats nothing. Returns the messages handed to
    /// <paramref name="effect"/>, in the batch's order.</summary>
    public static Task<IReadOnlyList<TMessage>> ExecuteOnceAsync<TContext, TMessage>(
        this TContext db, Batch<TMessage> batch, string consumer, Func<IReadOnlyList<TMessage>, CancellationToken, Task> effect, ILogger? logger, CancellationToken ct)
        where TContext : PlatformDbContext
        where TMessage : class =>
        db.ExecuteOnceAsync(
            batch.Select(d => (d.MessageIdFor(consumer), d.Message)).ToList(),
            consumer, effect, logger, ct);

    /// <summary>The batch form, for messages that must not hold one another up (an order each): a batch that fails is
    /// applied again a message at a time, each in its own transaction with its mark, so the others commit and only the
    /// one that cannot be applied fails. Its exception is then rethrown: MassTransit retries the batch (the messages
    /// already committed are left out by their marks) and in the end moves it to the error queue.</summary>
    public static Task ExecuteOnceEachAsync<TContext, TMessage>(
        this TContext db, Batch<TMessage> batch, string consumer, Func<IReadOnlyList<TMessage>, CancellationToken, Task> effect, ILogger logger, CancellationToken ct)
        where TContext : PlatformDbContext
        where TMessage : class
    {
        Traces.Remember(batch);
        return db.ExecuteOnceEachAsync(batch.Select(d => (d.MessageIdFor(consumer), d.Message)).ToList(), consumer, effect, logger, ct);
    }

    /// <inheritdoc cref="ExecuteOnceEachAsync{TContext, TMessage}(TContext, Batch{TMessage}, string, Func{IReadOnlyList{TMessage}, CancellationToken, Task}, ILogger, CancellationToken)"/>
    public static async Task ExecuteOnceEachAsync<TContext, TMessage>(
        this TContext db, IReadOnlyList<(Guid MessageId, TMessage Message)> deliveries, string consumer, Func<IReadOnlyList<TMessage>, CancellationToken, Task> effect,
        ILogger logger, CancellationToken ct)
        where TContext : PlatformDbContext
    {
        try
        {
            await db.ExecuteOnceAsync(deliveries, consumer, effect, logger, ct);
            return;
        }
        catch (Exception ex) when (deliveries.Count > 1 && ex is not OperationCanceledException)
        {
            db.DiscardUnsaved();
            logger.LogWarning(ex, "{Consumer}: a batch of {Count} messages failed; applying them one at a time", consumer, deliveries.Count);
        }

        var failures = new List<Exception>();
        foreach (var delivery in deliveries)
        {
            try
            {
                await db.ExecuteOnceAsync([delivery], consumer, effect, logger, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                db.DiscardUnsaved();
                logger.LogWarning(ex, "{Consumer}: message {MessageId} failed on its own", consumer, delivery.MessageId);
                failures.Add(ex);
            }
        }

        if (failures.Count == 1)
        {
            ExceptionDispatchInfo.Throw(failures[0]);
        }

        if (failures.Count > 1)
        {
            throw new AggregateException($"{consumer}: {failures.Count} of the batch's {deliveries.Count} messages failed on their own", failures);
        }
    }

    /// <inheritdoc cref="ExecuteOnceAsync{TContext, TMessage}(TContext, Batch{TMessage}, string, Func{IReadOnlyList{TMessage}, CancellationToken, Task}, ILogger?, CancellationToken)"/>
    public static async Task<IReadOnlyList<TMessage>> ExecuteOnceAsync<TContext, TMessage>(
        this TContext db, IReadOnlyList<(Guid MessageId, TMessage Message)> deliveries, string consumer, Func<IReadOnlyList<TMessage>, CancellationToken, Task> effect,
        ILogger? logger, CancellationToken ct)
        where TContext : PlatformDbContext
    {
        var byId = new Dictionary<Guid, TMessage>();
        foreach (var (id, message) in deliveries)
        {
            byId.TryAdd(id, message); // the same message twice in one batch takes effect once
        }

        // Each message's id is the causation of the events it causes (EventStore writes it beside them).
        var causes = new Dictionary<object, Guid>(ReferenceEqualityComparer.Instance);
        foreach (var (id, message) in byId)
        {
            if (message is not null)
            {
                causes.TryAdd(message, id);
            }
        }

        var fresh = await db.ExecuteOnceAsync(byId.Keys.ToList(), consumer, (ids, token) =>
        {
            db.CausedBy($"consumer:{consumer}", causes);
            return effect(ids.Select(i => byId[i]).ToList(), token);
        }, logger, ct);
        return fresh.Select(i => byId[i]).ToList();
    }

    private static async Task<IReadOnlyList<Guid>> ExecuteOnceAsync<TContext>(
        this TContext db, IReadOnlyList<Guid> messageIds, string consumer, Func<IReadOnlyList<Guid>, CancellationToken, Task> effect, ILogger? logger, CancellationToken ct)
        where TContext : PlatformDbContext
    {
        var fresh = await NotProcessedAsync(db, messageIds, consumer, logger, ct);
        if (fresh.Count == 0)
        {
            return fresh;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Any failure below rolls the whole unit back, so EF's savepoint around each SaveChanges in a transaction
        // (two more round trips each) would protect nothing.
        var savepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await effect(fresh, ct);
            var now = DateTimeOffset.UtcNow;
            db.Inbox.AddRange(fresh.Select(id => new InboxEntry { MessageId = id, Consumer = consumer, ProcessedAt = now }));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return fresh;
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            await tx.RollbackAsync(CancellationToken.None);
            db.DiscardUnsaved();
            // Lost the race to a concurrent delivery of the same messages? Then their effect is already there.
            if ((await NotProcessedAsync(db, fresh, consumer, logger, CancellationToken.None)).Count == 0)
            {
                return [];
            }

            throw; // some of them are not done: the retry leaves out those that are
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
        }
    }

    private static async Task<List<Guid>> NotProcessedAsync(PlatformDbContext db, IReadOnlyList<Guid> messageIds, string consumer, ILogger? logger, CancellationToken ct)
    {
        var done = await db.Inbox.AsNoTracking().Where(i => i.Consumer == consumer && messageIds.Contains(i.MessageId)).Select(i => i.MessageId).ToListAsync(ct);
        foreach (var id in done)
        {
            Duplicate(logger, id, consumer);
        }

        return messageIds.Except(done).ToList();
    }

    private static void Duplicate(ILogger? logger, Guid messageId, string consumer)
    {
        PlatformDiagnostics.InboxDuplicates.Add(1);
        logger?.LogInformation("Duplicate delivery of {MessageId} to {Consumer} acknowledged without effect", messageId, consumer);
    }
}
