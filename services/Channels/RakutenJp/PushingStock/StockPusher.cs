using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.Rms;

namespace Rakuten.Platform.Channels.RakutenJp.PushingStock;

/// <summary>Pushes channel quantities to RMS: per connection, everything changed since the last push (latest
/// quantity per SKU) in bulk-upserts of at most 400, ABSOLUTE, at most one call a second — a burst of changes
/// becomes a few calls carrying the final quantities. A periodic reconciliation (and the merchant's "sync
/// stock") reads RMS back through bulk-get and pushes again whatever differs.</summary>
public sealed class StockPusher(
    IServiceScopeFactory scopes, RmsInventoryClient rms, TimeProvider clock, IConfiguration configuration, ILogger<StockPusher> logger) : BackgroundService
{
    private readonly WakeSignal _wake = new();

    private TimeSpan ReconcileInterval => configuration.GetValue("Platform:RakutenJp:StockReconcileInterval", TimeSpan.FromMinutes(15));

    public void Wake() => _wake.Pulse();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastReconcile = clock.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PushAllAsync(stoppingToken);
                if (ReconcileInterval > TimeSpan.Zero && clock.GetUtcNow() - lastReconcile >= ReconcileInterval)
                {
                    lastReconcile = clock.GetUtcNow();
                    foreach (var id in await ConnectionIdsAsync(stoppingToken))
                    {
                        await ReconcileAsync(id, stoppingToken);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "RMS stock push round failed; retrying");
            }

            await _wake.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
        }
    }

    private async Task<List<Guid>> ConnectionIdsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>().ActiveConnectionIdsAsync(ct);
    }

    public async Task PushAllAsync(CancellationToken ct)
    {
        foreach (var id in await ConnectionIdsAsync(ct))
        {
            try
            {
                while (await PushBatchAsync(id, ct))
                {
                    // the next batch waits for the rate gate, not for the next round
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "RMS stock push for connection {Connection} failed; its changes wait for the next round", id);
            }
        }
    }

    /// <summary>One bulk-upsert of what is pending; false when nothing was (or could be) sent.</summary>
    private async Task<bool> PushBatchAsync(Guid connectionId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>();
        var connection = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == connectionId, ct);
        if (!await db.StockPushes.AnyAsync(p => p.ConnectionId == connectionId && p.Version > p.PushedVersion, ct))
        {
            return false;
        }

        // The slot first, the batch after: whatever changed while waiting goes in this call.
        var slot = await rms.WaitForUpsertSlotAsync(connectionId, ct);
        // Only SKUs the platform published (a managed item and variant) can be pushed; the others wait for their listing.
        var pending = await (from push in db.StockPushes
                             join sku in db.RmsSkus on new { push.ConnectionId, push.Sku } equals new { sku.ConnectionId, sku.Sku }
                             where push.ConnectionId == connectionId && push.Version > push.PushedVersion
                             orderby push.UpdatedAt
                             select new { Push = push, sku.ManageNumber, sku.VariantId }).Take(RmsInventoryClient.MaxUpsert).ToListAsync(ct);
        if (pending.Count == 0)
        {
            return false;
        }

        var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<RmsCredentials>(connection.ProtectedCredentials);
        using var span = Traces.StartLinked("rms stock push", pending.Select(p => p.Push.TraceParent),
            [new("platform.connection_id", connectionId.ToString()), new("platform.sku_count", pending.Count)]);
        var entries = pending.Select(p => new RmsStockEntry(p.ManageNumber, p.VariantId, Math.Clamp(p.Push.Quantity, 0, 99_999))).ToList();
        var adopted = entries.Any(e => !RmsItemMapping.IsManaged(e.ManageNumber))
            ? (await db.AdoptedItems.AsNoTracking().Where(a => a.ConnectionId == connectionId).Select(a => a.ManageNumber).ToListAsync(ct)).ToHashSet()
            : [];
        var answer = await rms.BulkUpsertAsync(connectionId, connection.BaseUrl, credentials, entries, ct, slot, adopted.Contains);
        if (answer.Ok)
        {
            foreach (var p in pending)
            {
                p.Push.PushedVersion = p.Push.Version;
                p.Push.PushedQuantity = p.Push.Quantity;
                p.Push.Error = null;
            }

            await SaveRecordedAsync(db, connectionId, ct);
            var now = clock.GetUtcNow();
            foreach (var p in pending)
            {
                PlatformDiagnostics.RecordSyncLag(nameof(Contracts.Channel.RakutenJp), "stock", connectionId, p.Push.UpdatedAt, now);
            }

            logger.LogInformation("RMS stock of {Shop}: {Count} SKUs pushed in one bulk-upsert", connection.ExternalId, pending.Count);
            return true;
        }

        if ((int)answer.Status is >= 400 and < 500 && answer.Status != HttpStatusCode.Unauthorized && answer.Error is { } error)
        {
            // All or nothing: RMS names the entry it refused; that SKU keeps its error and stays out, the rest go next.
            var refused = answer.EntryIndex is { } i && i < pending.Count ? [pending[i]] : pending;
            foreach (var p in refused)
            {
                p.Push.PushedVersion = p.Push.Version;
                p.Push.Error = $"{error.Code}: {error.Message}";
            }

            await SaveRecordedAsync(db, connectionId, ct);
            logger.LogWarning("RMS refused stock of {Count} SKU(s) of {Shop}: {Code} {Message}", refused.Count, connection.ExternalId, error.Code, error.Message);
            return true;
        }

        logger.LogWarning("RMS inventory bulk-upsert for {Shop} answered HTTP {Status}; retrying next round", connection.ExternalId, (int)answer.Status);
        return false;
    }

    /// <summary>Serialises, per connection, the recording of a push with the consumer writing new versions: both
    /// touch many of the connection's rows in one transaction, and in different orders they deadlocked under load.</summary>
    public static Task LockAsync(RakutenJpDbContext db, IEnumerable<Guid> connectionIds, CancellationToken ct) =>
        AdvisoryLock.AcquireAllAsync(db, connectionIds.Select(id => $"rakuten-jp-stock:{id}"), ct);

    private static async Task SaveRecordedAsync(RakutenJpDbContext db, Guid connectionId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockAsync(db, [connectionId], ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Reads back every pushed SKU of a connection, in SKU order and batches of RMS's bulk-get; any quantity RMS has
    /// that differs from the last push (changed behind the platform's back) is pushed again. Returns how many were repaired.
    /// As a job (<paramref name="job"/>, the merchant's request), each batch commits with the job's progress and the last
    /// SKU read, a resumed run goes on after it, a batch RMS refuses is reported SKU by SKU and the rest go on, and RMS
    /// unreachable fails the attempt (retried from there); the periodic one just stops until its next round.</summary>
    public async Task<int> ReconcileAsync(Guid connectionId, CancellationToken ct, JobRun? job = null)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>();
        var connection = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == connectionId, ct);
        var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<RmsCredentials>(connection.ProtectedCredentials);
        var resumed = job?.Checkpoint is { } checkpoint ? JsonSerializer.Deserialize<ReconcileCheckpoint>(checkpoint) : null;
        var afterSku = resumed?.AfterSku ?? "";
        var repaired = resumed?.Repaired ?? 0;
        var pushed = await (from push in db.StockPushes
                            join sku in db.RmsSkus on new { push.ConnectionId, push.Sku } equals new { sku.ConnectionId, sku.Sku }
                            where push.ConnectionId == connectionId && push.PushedQuantity != null && push.Version == push.PushedVersion
                                  && string.Compare(push.Sku, afterSku) > 0
                            orderby push.Sku
                            select new { Push = push, sku.ManageNumber, sku.VariantId }).ToListAsync(ct);
        int? total = job is { Resumed: false } ? pushed.Count : null;
        if (job is not null && pushed.Count == 0)
        {
            job.Stage(db, total: total); // nothing (left) to read: the job says so
            await db.SaveChangesAsync(ct);
        }

        foreach (var batch in pushed.Chunk(RmsInventoryClient.MaxGet))
        {
            var answer = await rms.BulkGetAsync(connectionId, connection.BaseUrl, credentials, batch.Select(b => (b.ManageNumber, b.VariantId)).ToList(), ct);
            var failures = new List<JobFailure>();
            if (!answer.Ok)
            {
                if (job is null)
                {
                    logger.LogWarning("RMS inventory bulk-get for {Shop} answered HTTP {Status}; reconciliation stopped", connection.ExternalId, (int)answer.Status);
                    break;
                }

                if (answer.Error is not { } refusal || answer.Status is not (HttpStatusCode.BadRequest or HttpStatusCode.NotFound))
                {
                    throw new HttpRequestException($"RMS answered HTTP {(int)answer.Status} to the inventory read.", null, answer.Status);
                }

                // RMS refused this batch's read (an item it does not know any more): said per SKU, and the others go on.
                var said = $"{refusal.Code} {refusal.Message}";
                failures.AddRange(batch.Select(b => new JobFailure(b.Push.Sku, $"RMS refused to read it: {said[..Math.Min(said.Length, 200)]}")));
            }
            else
            {
                var actual = answer.Found.ToDictionary(f => (f.ManageNumber, f.VariantId), f => f.Quantity);
                foreach (var row in batch.Where(b => !actual.TryGetValue((b.ManageNumber, b.VariantId), out var q) || q != b.Push.PushedQuantity))
                {
                    row.Push.PushedVersion = 0; // pushed again by the next round
                    repaired++;
                }
            }

            job?.Stage(db, done: batch.Length, total: total, checkpoint: JsonSerializer.Serialize(new ReconcileCheckpoint(batch[^1].Push.Sku, repaired)), failures: failures);
            await SaveRecordedAsync(db, connectionId, ct);
        }

        if (repaired > 0)
        {
            logger.LogWarning("RMS stock of {Shop}: {Count} SKU(s) differed from what the platform pushed; pushing them again", connection.ExternalId, repaired);
            Wake();
        }

        return repaired;
    }

    /// <summary>The merchant's "sync stock": every SKU of the connection is pushed again — marked in the caller's
    /// transaction, so that it commits with whatever the caller records of it.</summary>
    public async Task<int> ResyncAsync(RakutenJpDbContext db, Guid connectionId, CancellationToken ct)
    {
        var count = await db.StockPushes.Where(p => p.ConnectionId == connectionId).ExecuteUpdateAsync(s => s.SetProperty(p => p.PushedVersion, 0L), ct);
        Wake();
        return count;
    }
}

/// <summary>Where a stock reconciliation goes on: after the last SKU read, with how many it had repaired.</summary>
internal sealed record ReconcileCheckpoint(string AfterSku, int Repaired);
