using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.ImportingOrders;

namespace Rakuten.Platform.Orders.NeedsAttention;

/// <summary>One thing the merchant must act on: a held order or a shipment its marketplace refused, with its reason, what to
/// do next (the call that does it), and since when.</summary>
public sealed record AttentionItem(string Kind, Guid OrderId, string Channel, string ChannelOrderId, Guid? ShipmentId, string Reason, string? Detail,
    string NextStep, DateTimeOffset Since, long AgeSeconds);

public sealed record AttentionView(int Holds, int RejectedShipments, IReadOnlyList<AttentionItem> Items);

/// <summary><c>GET /orders/attention</c>: every hold and every refused shipment of the tenant in one list, oldest first — the
/// place to start instead of asking each endpoint.</summary>
public static class AttentionEndpoints
{
    public const int MaxItems = 1000;

    /// <summary>Pure: what the merchant does about a hold.</summary>
    public static string NextStepForHold(Guid orderId, string channel, HoldReason reason, string? action)
    {
        var steps = new List<string>();
        if (action is { Length: > 0 }) steps.Add(action.TrimEnd('.') + ".");
        steps.Add(HoldRules.CanRelease(reason) ? $"Then release it: POST /orders/{orderId}/release."
            : HoldRules.CanDismiss(reason) ? $"Once handled on the marketplace, dismiss it: POST /orders/{orderId}/dismiss."
            : $"Then retry it: POST /orders/{orderId}/retry (an unknown SKU is retried by itself once the SKU exists).");
        if (channel == "RakutenJp") steps.Add("RMS does not show it confirmed until it reaches Shopify.");
        return string.Join(" ", steps);
    }

    public static string NextStepForShipment(Guid shipmentId, string? error) =>
        (error?.StartsWith("UNSUPPORTED_CARRIER", StringComparison.Ordinal) == true
            ? "Map the carrier (PUT /shipping/carriers/{Shopify name}): the shipment is sent again by itself. "
            : "Correct the fulfilment in Shopify (its tracking, its carrier): the shipment is sent again by itself. ")
        + $"Or, once the cause is fixed, POST /shipping/shipments/{shipmentId}/retry.";

    public static void MapAttention(this RouteGroupBuilder orders)
    {
        orders.MapGet("/attention", async (Caller caller, OrdersDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            var holds = await db.Orders.AsNoTracking()
                .Where(o => o.TenantId == caller.Tenant && o.Status == UnifiedOrderStatus.Held && o.HoldDismissedAt == null)
                .OrderBy(o => o.UpdatedAt).Take(MaxItems).ToListAsync(ct);
            var refused = await (from s in db.Shipments.AsNoTracking()
                                 join o in db.Orders.AsNoTracking() on s.OrderId equals o.OrderId
                                 where o.TenantId == caller.Tenant && s.Status == "Rejected"
                                 orderby s.UpdatedAt
                                 select new { Shipment = s, Order = o }).Take(MaxItems).ToListAsync(ct);
            var items = holds.Select(o => new AttentionItem("Hold", o.OrderId, o.Channel, o.ChannelOrderId, null, o.HoldReason.ToString()!, o.HoldDetail,
                    NextStepForHold(o.OrderId, o.Channel, o.HoldReason!.Value, o.HoldAction), o.UpdatedAt, (long)(now - o.UpdatedAt).TotalSeconds))
                .Concat(refused.Select(r => new AttentionItem("RejectedShipment", r.Order.OrderId, r.Order.Channel, r.Order.ChannelOrderId, r.Shipment.ShipmentId,
                    r.Shipment.Error?.Split(':', 2)[0] ?? "Rejected", r.Shipment.Error, NextStepForShipment(r.Shipment.ShipmentId, r.Shipment.Error), r.Shipment.UpdatedAt,
                    (long)(now - r.Shipment.UpdatedAt).TotalSeconds)))
                .OrderBy(i => i.Since).Take(MaxItems).ToList();
            return Results.Ok(new AttentionView(holds.Count, refused.Count, items));
        }).Produces<AttentionView>();
    }
}
