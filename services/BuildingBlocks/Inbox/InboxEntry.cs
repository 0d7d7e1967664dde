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
        var messageId = context.MessageId
                        ?? throw new InvalidOperationException($"{consumer}: message without a MessageId cannot be deduplicated.");
        return await db.ExecuteOnceAsync(messageId, consumer, effect, logger, context.CancellationToken);
    }

    /// <inheritdoc cref="ExecuteOnceAsync{TContext}(TContext, ConsumeContext, string, Func{CancellationToken, Task}, ILogger?)"/>
    public static async Task<bool> ExecuteOnceAsync<TContext>(
        this TContext db, Guid messageId, string consumer, Func<CancellationToken, Task> effect, ILogger? logger, CancellationToken ct)
        where TContext : PlatformDbContext
    {
        if (await AlreadyProcessedAsync(db, messageId, consumer, ct))
        {
            Duplicate(logger, messageId, consumer);
            return false;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await effect(ct);
            db.Inbox.Add(new InboxEntry { MessageId = messageId, Consumer = consumer, ProcessedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            await tx.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            // Lost the race to a concurrent delivery of the same message? Then its effect is already there.
            if (await AlreadyProcessedAsync(db, messageId, consumer, CancellationToken.None))
            {
                Duplicate(logger, messageId, consumer);
                return false;
            }

            throw;
        }
    }

    private static Task<bool> AlreadyProcessedAsync(PlatformDbContext db, Guid messageId, string consumer, CancellationToken ct) =>
        db.Inbox.AsNoTracking().AnyAsync(i => i.MessageId == messageId && i.Consumer == consumer, ct);

    private static void Duplicate(ILogger? logger, Guid messageId, string consumer)
    {
        PlatformDiagnostics.InboxDuplicates.Add(1);
        logger?.LogInformation("Duplicate delivery of {MessageId} to {Consumer} acknowledged without effect", messageId, consumer);
    }
}
