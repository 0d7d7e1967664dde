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
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<EventStore<ShippingDbContext>>();
            var db = store.Db;
            var rows = await db.Shipments.AsNoTracking().Where(s => chunk.Contains(s.ShipmentId)).ToListAsync(ct);
            var versions = await store.CurrentVersionsAsync(rows.Select(r => ShipmentStream.Id(r.ShipmentId)).ToList(), ct);
            var missing = rows.Where(r => versions[ShipmentStream.Id(r.ShipmentId)] == 0).ToList();
            if (missing.Count == 0)
            {
                continue;
            }

            var orderIds = missing.Select(r => r.OrderId).Distinct().ToList();
            var tenants = await db.Orders.AsNoTracking().Where(o => orderIds.Contains(o.OrderId)).ToDictionaryAsync(o => o.OrderId, o => o.TenantId, ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, "shipment-streams-upgrade", ct);
            foreach (var r in missing)
            {
                store.StartStream(ShipmentStream.Id(r.ShipmentId), [new ShipmentWasRecorded(r.ShipmentId, r.OrderId, r.FulfillmentId, r.Carrier,
                        JsonSerializer.Deserialize<string[]>(r.TrackingNumbers) ?? [], JsonSerializer.Deserialize<List<ShipmentPackage>>(r.Packages, PlatformJson.Options) ?? [],
                        r.Units, r.Status, r.ErrorCode, r.ErrorMessage, r.Version, r.ShippedAt, r.DeliveredAt)],
                    new EventMetadata(TenantId: tenants.TryGetValue(r.OrderId, out var tenant) ? tenant : null, Actor: "system:upgrade"));
            }

            try
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                opened += missing.Count;
            }
            catch (StreamConcurrencyException)
            {
                // Another replica opened them first (it held the lock): theirs stand.
                await tx.RollbackAsync(ct);
            }
        }

        if (opened > 0)
        {
            logger.LogInformation("{Count} shipments recorded before event streams now have their stream", opened);
        }

        return opened;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
