using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.ImportingOrders;
using Rakuten.Platform.Orders.TrackingStatus;

namespace Rakuten.Platform.Orders.CancellingOrders;

public sealed record CancelOrderRequest(string? Reason, string? Comment);

/// <summary>The cancellation asked of the marketplace: the order's status now, and the reason and comment sent.</summary>
public sealed record CancellationRequested(Guid OrderId, string Status, string Reason, string? Comment);

/// <summary>The merchant cancels an order through the platform: the marketplace is asked first (OrderCancellationRequested);
/// only once it reports the order cancelled are the stock released and the Shopify order cancelled — a marketplace that
/// refuses (the order shipped meanwhile) leaves everything as it was, with its reason on the order.</summary>
public static class CancellationEndpoints
{
    public static void MapCancellations(this RouteGroupBuilder orders)
    {
        orders.MapPost("/{orderId:guid}/cancel", async (Guid orderId, Caller caller, CancelOrderRequest request, OrdersDbContext db, EventStore<OrdersDbContext> store,
            TimeProvider clock, CancellationToken ct) =>
        {
            var (record, reason, comment) = await RequestAsync(db, store, caller, orderId, request.Reason, request.Comment, clock.GetUtcNow(), ct);
            return Results.Accepted($"/orders/{orderId}", new CancellationRequested(orderId, record.Status.ToString(), reason, comment));
        }).RequireAuthorization(PlatformPolicies.Operator).Produces<CancellationRequested>(StatusCodes.Status202Accepted);
    }

    /// <summary>Asks the marketplace to cancel the tenant's order (HTTP and gRPC): a bad reason or comment is a 400 naming
    /// the field, an order past cancelling an audited 409; nothing changes then.</summary>
    public static async Task<(OrderRecord Record, string Reason, string Comment)> RequestAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, Caller caller,
        Guid orderId, string? requestedReason, string? requestedComment, DateTimeOffset now, CancellationToken ct)
    {
        var reason = string.IsNullOrEmpty(requestedReason) ? CancellationReasons.BuyerRequest : requestedReason;
        if (!CancellationReasons.All.Contains(reason))
            throw PlatformProblem.Field("reason", $"must be one of {string.Join(", ", CancellationReasons.All)}");
        // The comment is sent to the buyer: a line break is fine there, a NUL or an escape sequence is not.
        if (requestedComment is { Length: > 500 })
            throw PlatformProblem.Field("comment", "must be at most 500 characters (it is sent to the buyer)");
        if (requestedComment is { } text && text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            throw PlatformProblem.Field("comment", "must not contain control characters other than line breaks and tabs");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Actor = caller.Actor; // the events the cancellation causes name who asked
        var record = await db.Orders.FirstOrDefaultAsync(o => o.OrderId == orderId && o.TenantId == caller.Tenant, ct)
                     ?? throw PlatformProblem.NotFound("order with this id");
        if (!OrderStatusMap.Cancellable(record.Status))
        {
            await tx.RollbackAsync(ct);
            await db.AuditRefusalAsync(caller, "order.cancel", $"order/{orderId}", now, $"the order is {record.Status}", ct);
            throw new PlatformProblem(StatusCodes.Status409Conflict, "Not cancellable",
                $"Order {orderId} is {record.Status}: only a Received, Held or Accepted order can be cancelled.");
        }
        using var span = Traces.Continue(record.TraceParent, "order cancellation requested");
        var existing = await db.Cancellations.FirstOrDefaultAsync(c => c.OrderId == orderId, ct);
        if (existing is not null) db.Cancellations.Remove(existing); // a refused request asked again

        var comment = string.IsNullOrWhiteSpace(requestedComment) ? DefaultComment(reason) : requestedComment.Trim();
        db.Cancellations.Add(new OrderCancellation
        {
            OrderId = orderId, Initiator = CancellationInitiator.Merchant, Reason = reason, Comment = comment, PreviousStatus = record.Status, RequestedAt = now,
        });
        await OrderImport.RecordAsync(db, store, record, [new OrderCancellationWasRequested(reason, comment)], now, ct);
        await OrderStatus.MoveAsync(db, store, record, UnifiedOrderStatus.CancellationRequested, null, now, ct);
        var order = OrderStatus.Order(record);
        var items = order?.Lines.SelectMany(l => l.ChannelItemIds.Count > 0 ? l.ChannelItemIds : [l.ChannelLineId]).ToList() ?? [];
        db.AddToOutbox(new OrderCancellationRequested(record.TenantId, record.ConnectionId, record.OrderId, Enum.Parse<Channel>(record.Channel),
            record.ChannelOrderId, reason, comment, items, now));
        db.Audit(caller, "order.cancel", $"order/{orderId}", now, detail: $"reason {reason}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (record, reason, comment);
    }

    private static string DefaultComment(string reason) => reason switch
    {
        CancellationReasons.OutOfStock => "We are sorry: this item is out of stock and your order has been cancelled.",
        CancellationReasons.ShippingDelay => "We are sorry: we cannot ship your order in time and have cancelled it.",
        CancellationReasons.BuyerRequest => "Your order has been cancelled as you requested.",
        _ => "Your order has been cancelled.",
    };
}
