using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Shipping.ReportingShipments;

/// <summary>At start-up, once: every shipment recorded before shipments were event streams gets its stream, opened by
/// <see cref="ShipmentWasRecorded"/> (the row as it stands), so that every shipment is decided on from its stream.
/// A shipment that has a stream is left alone, so running it again does nothing.</summary>
public sealed class ShipmentStreamsUpgrade(IServiceScopeFactory scopes, ILogger<ShipmentStreamsUpgrade> logger) : IHostedService
{
    private const int Batch = 500;

    public async Task StartAsync(CancellationToken cancellationToken) => await UpgradeAsync(cancellationToken);

    public async Task<int> UpgradeAsync(CancellationToken ct)
    {
        var opened = 0;
        List<Guid> all;
        await using (var scope = scopes.CreateAsyncScope())
        {
            all = await scope.ServiceProvider.GetRequiredService<ShippingDbContext>().Shipments.AsNoTracking().Select(s => s.ShipmentId).ToListAsync(ct);
        }

        foreach (var chunk in all.Chunk(Batch))
        {
            opened += await OpenAsync(chunk, ct);
        }

        if (opened > 0)
        {
            logger.LogInformation("{Count} shipments recorded before event streams now have their stream", opened);
        }

        return opened;
    }

    private async Task<int> OpenAsync(Guid[] chunk, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<EventStore<ShippingDbContext>>();
            var db = store.Db;
            // The lock first, then the look: two replicas starting together never both open the same shipment's stream.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, "shipment-streams-upgrade", ct);
            var rows = await db.Shipments.AsNoTracking().Where(s => chunk.Contains(s.ShipmentId)).ToListAsync(ct);
            var versions = await store.CurrentVersionsAsync(rows.Select(r => ShipmentStream.Id(r.ShipmentId)).ToList(), ct);
            var missing = rows.Where(r => versions[ShipmentStream.Id(r.ShipmentId)] == 0).ToList();
            if (missing.Count == 0)
            {
                return 0;
            }

            var orderIds = missing.Select(r => r.OrderId).Distinct().ToList();
            var tenants = await db.Orders.AsNoTracking().Where(o => orderIds.Contains(o.OrderId)).ToDictionaryAsync(o => o.OrderId, o => o.TenantId, ct);
            foreach (var r in missing)
            {
                store.StartStream(ShipmentStream.Id(r.ShipmentId), [Recorded(r)],
                    new EventMetadata(TenantId: tenants.TryGetValue(r.OrderId, out var tenant) ? tenant : null, Actor: "system:upgrade"), r.UpdatedAt);
            }

            try
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return missing.Count;
            }
            catch (StreamConcurrencyException) when (attempt < 3)
            {
                // A running instance opened one of them meanwhile (a shipment it was deciding on): look again.
                await tx.RollbackAsync(ct);
            }
        }
    }

    /// <summary>A shipment row as the event that opens its stream.</summary>
    public static ShipmentWasRecorded Recorded(Shipment r) =>
        new(r.ShipmentId, r.OrderId, r.FulfillmentId, r.Carrier, JsonSerializer.Deserialize<string[]>(r.TrackingNumbers) ?? [],
            JsonSerializer.Deserialize<List<ShipmentPackage>>(r.Packages, PlatformJson.Options) ?? [], r.Units, r.Status, r.ErrorCode, r.ErrorMessage, r.Version,
            r.ShippedAt, r.DeliveredAt);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
