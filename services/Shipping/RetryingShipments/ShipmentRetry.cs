using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Shipping.ReportingShipments;

namespace Rakuten.Platform.Shipping.RetryingShipments;

/// <summary>A shipment the marketplace refused is not a dead end: planned again from its fulfilment's latest report with
/// the tenant's carriers as they are now, it goes to the marketplace again (ShipmentDispatched, next attempt) — on request,
/// when a carrier override appears, or when Shopify sends a corrected fulfilment.</summary>
public static class ShipmentRetry
{
    /// <summary>The carrier refusals an override can fix: shipments refused with them are sent again when the tenant sets one.</summary>
    public static readonly string[] FixedByCarrierOverride = ["UNSUPPORTED_CARRIER"];

    /// <summary>Null when the shipment went out again; otherwise why not, in words for the merchant.</summary>
    public static async Task<string?> ResendAsync(ShippingDbContext db, EventStore<ShippingDbContext> store, ShippingOrder order, Shipment shipment,
        DateTimeOffset now, CancellationToken ct)
    {
        if (shipment.Status != ShipmentStatus.Rejected)
        {
            return $"the shipment is {shipment.Status}, not refused: there is nothing to send again";
        }

        if (await FulfillmentReports.LatestAsync(db, shipment.FulfillmentId, ct) is not { } report)
        {
            return "its fulfilment was reported before the platform kept fulfilments: edit the fulfilment in Shopify (its tracking) and it is sent again";
        }

        var planned = await ShipmentPlanning.PlanAsync(db, order, report, shipment.ShipmentId, ct);
        if (planned is ShipmentWasRefused refused)
        {
            return $"still refused — {refused.Code}: {refused.Message}";
        }

        await ShipmentLedger.DecideAsync(db, store, order, shipment, new ResendShipment(planned), now, ct);
        return null;
    }

    /// <summary>Sends again the tenant's shipments refused for a reason a carrier override fixes; how many went out.</summary>
    public static async Task<int> ResendCarrierRefusalsAsync(ShippingDbContext db, EventStore<ShippingDbContext> store, Guid tenantId, DateTimeOffset now, CancellationToken ct)
    {
        var refused = await (from s in db.Shipments
                             join o in db.Orders on s.OrderId equals o.OrderId
                             where o.TenantId == tenantId && s.Status == ShipmentStatus.Rejected && FixedByCarrierOverride.Contains(s.ErrorCode!)
                             select new { Shipment = s, Order = o }).Take(500).ToListAsync(ct);
        var sent = 0;
        foreach (var r in refused)
        {
            if (await ResendAsync(db, store, r.Order, r.Shipment, now, ct) is null)
            {
                sent++;
            }
        }

        return sent;
    }

    public static void MapShipmentRetry(this RouteGroupBuilder shipping)
    {
        // "Send again" for a refused shipment, once its cause is fixed: 409 with the reason while it still would be refused.
        shipping.MapPost("/shipments/{id:guid}/retry", async (Guid id, Caller caller, ShippingDbContext db, EventStore<ShippingDbContext> store, TimeProvider clock,
            CancellationToken ct) =>
        {
            var found = await (from s in db.Shipments
                               join o in db.Orders on s.OrderId equals o.OrderId
                               where s.ShipmentId == id && o.TenantId == caller.Tenant
                               select new { Shipment = s, Order = o }).FirstOrDefaultAsync(ct)
                        ?? throw PlatformProblem.NotFound("shipment with this id");
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (await ResendAsync(db, store, found.Order, found.Shipment, now, ct) is { } why)
            {
                await db.AuditRefusalAsync(caller, "shipment.retry", $"shipment/{id}", now, why, ct);
                await tx.CommitAsync(ct);
                throw new PlatformProblem(StatusCodes.Status409Conflict, "Not sent again",
                    $"Shipment {id} was not sent again: {why}. Add a carrier mapping (PUT /shipping/carriers/{{shopifyName}}) or correct the fulfilment in Shopify, then retry.");
            }

            db.Audit(caller, "shipment.retry", $"shipment/{id}", now, detail: "sent to the marketplace again");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok(ShippingEndpoints.View(found.Shipment));
        }).RequireAuthorization(PlatformPolicies.Operator).Produces<ShipmentView>();
    }
}
