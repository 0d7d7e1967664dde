using System.Text.Json;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.ImportingOrders;

namespace Rakuten.Platform.Orders.TrackingStatus;

[StoredEvent("order-status-changed.v1")]
public sealed record OrderStatusWasChanged(UnifiedOrderStatus From, UnifiedOrderStatus To, string? ChannelStatus);

/// <summary>The marketplace reported a status that does not move the unified one (or one the status map does not know).</summary>
[StoredEvent("order-channel-status-reported.v1")]
public sealed record OrderChannelStatusWasReported(string ChannelStatus);

[StoredEvent("order-cancellation-requested.v1")]
public sealed record OrderCancellationWasRequested(string Reason, string Comment);

[StoredEvent("order-cancellation-refused.v1")]
public sealed record OrderCancellationWasRefused(string Code, string Message);

[StoredEvent("order-cancelled.v1")]
public sealed record OrderWasCancelled(CancellationInitiator Initiator, IReadOnlyList<SkuQuantity> Lines);

/// <summary>Records a status move: its event in the order's stream, which moves the read model and means OrderStatusChanged
/// (<see cref="OrderProjection"/>).</summary>
public static class OrderStatus
{
    public static async Task MoveAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, OrderRecord record, UnifiedOrderStatus to, string? channelStatus,
        DateTimeOffset now, CancellationToken ct)
    {
        using var span = Traces.Continue(record.TraceParent, "order status");
        await OrderImport.RecordAsync(db, store, record, [new OrderStatusWasChanged(record.Status, to, channelStatus)], now, ct);
    }

    public static ChannelOrder? Order(OrderRecord record) =>
        record.Order is null ? null : JsonSerializer.Deserialize<ChannelOrder>(record.Order, PlatformJson.Options);

    /// <summary>The units a cancellation frees: every line, or only the units with the given channel item / line ids.</summary>
    public static IReadOnlyList<SkuQuantity> Units(OrderRecord record, IReadOnlyCollection<string>? channelItemIds = null)
    {
        var order = Order(record);
        if (order is null)
        {
            return [];
        }

        return order.Lines
            .Select(l => (Sku: l.Sku ?? l.MerchantSku, Quantity: channelItemIds is null or { Count: 0 } ? l.Quantity
                : channelItemIds.Contains(l.ChannelLineId) ? l.Quantity : l.ChannelItemIds.Count(channelItemIds.Contains)))
            .Where(x => x.Sku is not null && x.Quantity > 0)
            .GroupBy(x => x.Sku!)
            .Select(g => new SkuQuantity(g.Key, g.Sum(x => x.Quantity)))
            .ToList();
    }

    /// <summary>Announces the cancellation once (stock released, Shopify order cancelled by their services — or only tagged,
    /// when the connection's status mapping says <paramref name="cancelInShopify"/> false).</summary>
    public static async Task AnnounceCancellationAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, OrderRecord record,
        OrderCancellation? cancellation, IReadOnlyCollection<string>? channelItemIds, DateTimeOffset now, CancellationToken ct, bool cancelInShopify = true)
    {
        using var span = Traces.Continue(record.TraceParent, "order cancelled");
        var initiator = cancellation?.Initiator ?? CancellationInitiator.Channel;
        var lines = Units(record, channelItemIds);
        await OrderImport.RecordAsync(db, store, record, [new OrderWasCancelled(initiator, lines)], now, ct);
        db.AddToOutbox(new OrderCancelled(record.TenantId, record.ConnectionId, record.OrderId, Enum.Parse<Channel>(record.Channel), record.ChannelOrderId,
            lines, initiator, cancellation?.Reason, now, cancelInShopify));
    }
}

/// <summary>A cancellation of one order, asked by the channel or by the merchant through the platform.</summary>
public sealed class OrderCancellation
{
    public required Guid OrderId { get; init; }

    public required CancellationInitiator Initiator { get; init; }

    public required string Reason { get; init; }

    public string? Comment { get; init; }

    /// <summary>Where the order goes back to if the marketplace refuses.</summary>
    public required UnifiedOrderStatus PreviousStatus { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>When OrderCancelled went out (once).</summary>
    public DateTimeOffset? AnnouncedAt { get; set; }

    /// <summary>The marketplace's code and message when it would not cancel.</summary>
    public string? Refusal { get; set; }
}
