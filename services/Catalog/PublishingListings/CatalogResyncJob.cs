using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Catalog.PublishingListings;

/// <summary>"Publish again" for a whole catalog on one connection: every product of the tenant, a hundred per transaction
/// (each listing's request, the job's progress and its checkpoint — the last product id — commit together), so a
/// restart goes on after the last hundred sent rather than from the start.</summary>
public sealed class CatalogResyncJob(IServiceScopeFactory scopes, TimeProvider clock) : IJobHandler<CatalogDbContext>
{
    public const string Kind = "catalog.resync";

    private const int Batch = 100;

    string IJobHandler<CatalogDbContext>.Kind => Kind;

    public async Task<string> RunAsync(JobRun run, CancellationToken ct)
    {
        var connectionId = run.TargetId;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        var connection = await db.ListingConnections.AsNoTracking().FirstOrDefaultAsync(c => c.ConnectionId == connectionId && c.TenantId == run.TenantId, ct);
        if (connection is null || connection.Removed)
        {
            throw new JobRefusedException("The connection was removed: nothing more is sent to it.");
        }

        var after = run.Checkpoint is { } checkpoint ? Guid.Parse(checkpoint) : Guid.Empty;
        while (true)
        {
            var products = await db.Products.AsNoTracking().Where(p => p.TenantId == run.TenantId && p.ProductId.CompareTo(after) > 0)
                .OrderBy(p => p.ProductId).Select(p => p.ProductId).Take(Batch).ToListAsync(ct);
            if (products.Count == 0)
            {
                break;
            }

            // Removed meanwhile: RefreshAsync would skip it and the count would lie.
            if (await db.ListingConnections.AnyAsync(c => c.ConnectionId == connectionId && c.Removed, ct))
            {
                throw new JobRefusedException($"The connection was removed after {run.Done} product(s) were sent: nothing more is sent to it.");
            }

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, $"catalog:{run.TenantId}", ct);
            await ListingSync.RefreshAsync(db, run.TenantId, products, clock.GetUtcNow(), ct, connectionId);
            after = products[^1];
            run.Stage(db, done: products.Count, checkpoint: after.ToString());
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            db.ChangeTracker.Clear();
        }

        return $"{run.Done} product(s) sent to {connection.Channel} again; each listing's state is at GET /catalog/listings?connectionId={connectionId}.";
    }
}
