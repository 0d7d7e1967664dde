using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Outbox;

/// <summary>Wakes the relay of one service's outbox right after a commit that made outbox rows visible
/// (many commits in a burst are one batch for the relay).</summary>
public sealed class OutboxSignal<TContext> : WakeSignal where TContext : PlatformDbContext;

/// <summary>Pulses the relay when outbox rows become visible: after SaveChanges in its own transaction, or
/// after the commit of the caller's transaction (never before: the relay must not look too early).</summary>
public sealed class OutboxCommitInterceptor<TContext>(OutboxSignal<TContext> signal)
    : SaveChangesInterceptor, IDbTransactionInterceptor where TContext : PlatformDbContext
{
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is PlatformDbContext db
            && db.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added))
        {
            db.OutboxAwaitingCommit = true;
        }

        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is PlatformDbContext db && db.Database.CurrentTransaction is null)
        {
            if (db.OutboxAwaitingCommit)
            {
                db.OutboxAwaitingCommit = false;
                signal.Pulse();
            }

            db.Committed();
        }

        return base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is PlatformDbContext db && db.Database.CurrentTransaction is null)
        {
            db.OutboxAwaitingCommit = false;
            db.RolledBack();
        }
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is PlatformDbContext db)
        {
            if (db.OutboxAwaitingCommit)
            {
                db.OutboxAwaitingCommit = false;
                signal.Pulse();
            }

            db.Committed();
        }
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is PlatformDbContext db)
        {
            db.OutboxAwaitingCommit = false;
            db.RolledBack();
        }
    }
}
