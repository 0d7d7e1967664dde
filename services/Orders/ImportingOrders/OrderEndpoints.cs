using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.ImportingOrders;

/// <summary>Orders and holds, as ops and the merchant see them; a held order can be retried on request.</summary>
public static class OrderEndpoints
{
    public static void MapOrders(this RouteGroupBuilder orders)
    {
        orders.MapGet("", async (Caller caller, string? status, OrdersDbContext db, CancellationToken ct) =>
        {
            var query = db.Orders.AsNoTracking().Where(o => o.TenantId == caller.Tenant);
            if (status is not null)
            {
                if (!Enum.TryParse<UnifiedOrderStatus>(status, true, out var s) || !Enum.IsDefined(s))
                    return ApiErrors.Validation([$"status must be one of {string.Join(", ", Enum.GetNames<UnifiedOrderStatus>())}"]);
                query = query.Where(o => o.Status == s);
            }

            return Results.Ok((await query.OrderBy(o => o.ReceivedAt).ToListAsync(ct)).Select(View));
        });

        orders.MapGet("/holds", async (Caller caller, OrdersDbContext db, CancellationToken ct) =>
            Results.Ok((await db.Orders.AsNoTracking().Where(o => o.TenantId == caller.Tenant && o.Status == UnifiedOrderStatus.Held)
                .OrderBy(o => o.ReceivedAt).ToListAsync(ct)).Select(o => new
                {
                    o.OrderId, o.Channel, o.ChannelOrderId, reason = o.HoldReason.ToString(), detail = o.HoldDetail, action = o.HoldAction, o.UpdatedAt,
                })));

        orders.MapGet("/{orderId:guid}", async (Guid orderId, Caller caller, OrdersDbContext db, EventStore<OrdersDbContext> store, CancellationToken ct) =>
            await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.OrderId == orderId && o.TenantId == caller.Tenant, ct) is { } record
                ? Results.Ok(new
                {
                    order = View(record),
                    cancellation = await db.Cancellations.AsNoTracking().FirstOrDefaultAsync(c => c.OrderId == orderId, ct) is { } c
                        ? new { initiator = c.Initiator.ToString(), c.Reason, c.Comment, c.RequestedAt, c.AnnouncedAt, c.Refusal }
                        : null,
                    shipments = (await db.Shipments.AsNoTracking().Where(s => s.OrderId == orderId).OrderBy(s => s.UpdatedAt).ToListAsync(ct))
                        .Select(s => new { s.ShipmentId, s.Status, s.Units, s.Error, s.UpdatedAt }),
                    detail = record.Order is null ? null : JsonSerializer.Deserialize<ChannelOrder>(record.Order, PlatformJson.Options),
                    history = (await store.LoadAsync(OrderImport.Stream(orderId), ct: ct)).Select(e => new { e.Version, type = e.Data.GetType().Name, e.RecordedAt }),
                })
                : throw PlatformProblem.NotFound("order with this id"));

        orders.MapPost("/{orderId:guid}/retry", async (Guid orderId, Caller caller, OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, CancellationToken ct) =>
        {
            var record = await db.Orders.FirstOrDefaultAsync(o => o.OrderId == orderId && o.TenantId == caller.Tenant, ct)
                         ?? throw PlatformProblem.NotFound("order with this id");
            var now = clock.GetUtcNow();
            if (record.Status != UnifiedOrderStatus.Held)
            {
                await db.AuditRefusalAsync(caller, "order.retry", $"order/{orderId}", now, $"the order is {record.Status}, not held", ct);
                return ApiErrors.Problem(StatusCodes.Status409Conflict, "Not held", $"Order {orderId} is {record.Status}, not held: there is nothing to retry.");
            }

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var reason = record.HoldReason;
            // A Shopify refusal is retried by accepting again: the Shopify adapter tries the order once more.
            if (record.HoldReason == HoldReason.ShopifyRefused) record.HoldReason = null;
            await OrderImport.EvaluateAsync(db, store, record, now, ct);
            db.Audit(caller, "order.retry", $"order/{orderId}", now, detail: $"held for {reason}; now {record.Status}");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok(View(record));
        }).RequireAuthorization(PlatformPolicies.Operator);
    }

    private static object View(OrderRecord o) => new
    {
        o.OrderId, o.Channel, o.ConnectionId, o.ChannelOrderId, o.ChannelStatus, status = o.Status.ToString(),
        hold = o.HoldReason is null ? null : new { reason = o.HoldReason.ToString(), detail = o.HoldDetail, action = o.HoldAction },
        o.ShopifyOrderId, o.ShopifyOrderName, o.ReceivedAt, o.UpdatedAt,
    };
}
