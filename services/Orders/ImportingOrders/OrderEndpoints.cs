using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.ImportingOrders;

public sealed record DismissRequest(string? Note);

/// <summary>Orders and holds, as ops and the merchant see them; a held order can be retried, released (a missing ship-to)
/// or dismissed (handled on the marketplace) on request.</summary>
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
            Results.Ok((await db.Orders.AsNoTracking().Where(o => o.TenantId == caller.Tenant && o.Status == UnifiedOrderStatus.Held && o.HoldDismissedAt == null)
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
            Results.Ok(View(await HoldActions.RetryAsync(db, store, caller, orderId, clock.GetUtcNow(), ct)))).RequireAuthorization(PlatformPolicies.Operator);

        orders.MapPost("/{orderId:guid}/release", async (Guid orderId, Caller caller, OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, CancellationToken ct) =>
            Results.Ok(View(await HoldActions.ReleaseAsync(db, store, caller, orderId, clock.GetUtcNow(), ct)))).RequireAuthorization(PlatformPolicies.Operator);

        orders.MapPost("/{orderId:guid}/dismiss", async (Guid orderId, Caller caller, DismissRequest? request, OrdersDbContext db, EventStore<OrdersDbContext> store,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (request?.Note is { } note && Text.Problem(note, 0, 500) is { } problem) return ApiErrors.Validation([$"note {problem}"]);
            return Results.Ok(View(await HoldActions.DismissAsync(db, store, caller, orderId, request?.Note, clock.GetUtcNow(), ct)));
        }).RequireAuthorization(PlatformPolicies.Operator);
    }

    private static object View(OrderRecord o) => new
    {
        o.OrderId, o.Channel, o.ConnectionId, o.ChannelOrderId, o.ChannelStatus, status = o.Status.ToString(),
        hold = o.HoldReason is null ? null : new { reason = o.HoldReason.ToString(), detail = o.HoldDetail, action = o.HoldAction },
        o.ShopifyOrderId, o.ShopifyOrderName, o.ReceivedAt, o.UpdatedAt,
    };
}
