using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;

namespace Rakuten.Platform.Shipping.ReportingShipments;

/// <summary>The <c>shipments</c> table rebuilt from the shipment streams by <see cref="ShipmentProjection"/>.</summary>
public sealed class ShipmentProjectionRebuild(IServiceScopeFactory scopes) : ProjectionRebuild<ShippingDbContext>(scopes)
{
    private readonly Dictionary<Guid, Shipment> _shipments = [];

    public override string Name => "shipping: shipments";

    protected override IReadOnlyList<string> Tables => ["shipments"];

    protected override void Apply(StoredEvent e)
    {
        if (!e.StreamId.StartsWith("shipment-", StringComparison.Ordinal) || !Guid.TryParse(e.StreamId["shipment-".Length..], out var id))
        {
            return;
        }

        if (ShipmentProjection.Create(e.Data, e.RecordedAt) is { } created)
        {
            _shipments[id] = created;
        }
        else if (_shipments.TryGetValue(id, out var row))
        {
            ShipmentProjection.Apply(row, e.Data, e.RecordedAt);
        }
    }

    protected override async Task<int> ReplaceAsync(ShippingDbContext db, CancellationToken ct)
    {
        await db.Shipments.ExecuteDeleteAsync(ct);
        db.Shipments.AddRange(_shipments.Values);
        await db.SaveChangesAsync(ct);
        return _shipments.Count;
    }
}
