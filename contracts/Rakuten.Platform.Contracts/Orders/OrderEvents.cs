using MassTransit;

namespace Rakuten.Platform.Contracts.Orders;

/// <summary>A channel adapter found an order on a marketplace. <c>Order</c> is null when the payload could not
/// be parsed; <c>ParseError</c> then says why, and the order is held rather than lost.</summary>
[MessageUrn("rakuten-platform:orders:channel-order-received:v1")]
[EntityName("rakuten-platform.orders.channel-order-received.v1")]
public sealed record ChannelOrderReceived(
    Guid TenantId,
    Guid ConnectionId,
    Channel Channel,
    string ChannelOrderId,
    string ChannelStatus,
    ChannelOrder? Order,
    string? ParseError,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The marketplace moved an order (RMS orderProgress, Rakuten France item status).</summary>
[MessageUrn("rakuten-platform:orders:channel-order-status-changed:v1")]
[EntityName("rakuten-platform.orders.channel-order-status-changed.v1")]
public sealed record ChannelOrderStatusChanged(
    Guid TenantId,
    Guid ConnectionId,
    Channel Channel,
    string ChannelOrderId,
    string ChannelStatus,
    IReadOnlyList<string> ChannelItemIds,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The order is accepted: stock is reserved and Shopify should receive it.</summary>
[MessageUrn("rakuten-platform:orders:order-accepted:v1")]
[EntityName("rakuten-platform.orders.order-accepted.v1")]
public sealed record OrderAccepted(
    Guid TenantId,
    Guid ConnectionId,
    Guid OrderId,
    Channel Channel,
    string ChannelOrderId,
    ChannelOrder Order,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The order cannot be imported yet: the reason, and the action that resolves it.</summary>
[MessageUrn("rakuten-platform:orders:order-held:v1")]
[EntityName("rakuten-platform.orders.order-held.v1")]
public sealed record OrderHeld(
    Guid TenantId,
    Guid ConnectionId,
    Guid OrderId,
    Channel Channel,
    string ChannelOrderId,
    HoldReason Reason,
    string Detail,
    string Action,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The order (or some of its lines) is cancelled; reserved stock for <c>Lines</c> is released.</summary>
[MessageUrn("rakuten-platform:orders:order-cancelled:v1")]
[EntityName("rakuten-platform.orders.order-cancelled.v1")]
public sealed record OrderCancelled(
    Guid TenantId,
    Guid ConnectionId,
    Guid OrderId,
    Channel Channel,
    string ChannelOrderId,
    IReadOnlyList<SkuQuantity> Lines,
    CancellationInitiator Initiator,
    string? Reason,
    DateTimeOffset OccurredAt,
    bool CancelInShopify = true) : IConnectionEvent;

[MessageUrn("rakuten-platform:orders:order-status-changed:v1")]
[EntityName("rakuten-platform.orders.order-status-changed.v1")]
public sealed record OrderStatusChanged(
    Guid TenantId,
    Guid ConnectionId,
    Guid OrderId,
    UnifiedOrderStatus From,
    UnifiedOrderStatus To,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The Shopify adapter created (or found) the Shopify order for a unified order.
/// <c>ConnectionId</c> is the Shopify connection; <c>SourceConnectionId</c> and <c>ChannelOrderId</c> (issue 22; null from
/// adapters before it) name the marketplace order, which the marketplace adapter confirms once it reached Shopify.</summary>
[MessageUrn("rakuten-platform:orders:order-exported:v1")]
[EntityName("rakuten-platform.orders.order-exported.v1")]
public sealed record OrderExported(
    Guid TenantId,
    Guid ConnectionId,
    Guid OrderId,
    string ShopifyOrderId,
    string ShopifyOrderName,
    DateTimeOffset OccurredAt,
    Guid? SourceConnectionId = null,
    string? ChannelOrderId = null) : IConnectionEvent;

/// <summary>The Shopify adapter could not create the Shopify order of a unified order: Shopify refused it (its errors
/// in <c>Detail</c>), or no Shopify store is connected for the merchant. <c>ConnectionId</c> is the order's marketplace
/// connection. The adapter states what happened to its export; Orders decides what it means for the order (it holds
/// it, and says so with its own OrderHeld).</summary>
[MessageUrn("rakuten-platform:orders:order-export-refused:v1")]
[EntityName("rakuten-platform.orders.order-export-refused.v1")]
public sealed record OrderExportRefused(
    Guid TenantId,
    Guid ConnectionId,
    Guid OrderId,
    Channel Channel,
    string ChannelOrderId,
    string Detail,
    string Action,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The merchant asked the platform to cancel the order: the marketplace adapter cancels it there (RMS
/// cancelOrder, Rakuten France cancelitem per unit) and then reports the cancelled status, or OrderCancellationRefused.
/// <c>Reason</c> is one of <see cref="CancellationReasons"/>; <c>Comment</c> is what the buyer is told.</summary>
[MessageUrn("rakuten-platform:orders:order-cancellation-requested:v1")]
[EntityName("rakuten-platform.orders.order-cancellation-requested.v1")]
public sealed record OrderCancellationRequested(
    Guid TenantId,
    Guid ConnectionId,
    Guid OrderId,
    Channel Channel,
    string ChannelOrderId,
    string Reason,
    string Comment,
    IReadOnlyList<string> ChannelItemIds,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The marketplace would not cancel the order (it shipped meanwhile, say); its code and message are kept.</summary>
[MessageUrn("rakuten-platform:orders:order-cancellation-refused:v1")]
[EntityName("rakuten-platform.orders.order-cancellation-refused.v1")]
public sealed record OrderCancellationRefused(
    Guid TenantId,
    Guid ConnectionId,
    Guid OrderId,
    Channel Channel,
    string ChannelOrderId,
    ChannelError Error,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>What the Shopify order of a marketplace order should carry now that the marketplace reports
/// <c>ChannelStatus</c>, by the connection's status mapping: tags to add, and whether its fulfilment is on hold (a change
/// or a cancellation the marketplace has not confirmed). Sent when the order is accepted and on each status change;
/// the latest (<c>OccurredAt</c>) wins.</summary>
[MessageUrn("rakuten-platform:orders:order-shopify-actions-requested:v1")]
[EntityName("rakuten-platform.orders.order-shopify-actions-requested.v1")]
public sealed record OrderShopifyActionsRequested(
    Guid TenantId,
    Guid ConnectionId,
    Guid OrderId,
    Channel Channel,
    string ChannelOrderId,
    string ChannelStatus,
    IReadOnlyList<string> Tags,
    bool HoldFulfillment,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The marketplace changed the lines of an accepted order before it shipped (an RMS order edited by the shop or
/// the buyer): <c>Lines</c> are its units per SKU now, <c>Before</c> what they were. Inventory holds the difference while
/// the order is reserved; the Shopify adapter edits the Shopify order to match (issue 22).</summary>
[MessageUrn("rakuten-platform:orders:order-lines-changed:v1")]
[EntityName("rakuten-platform.orders.order-lines-changed.v1")]
public sealed record OrderLinesChanged(
    Guid TenantId,
    Guid ConnectionId,
    Guid OrderId,
    Channel Channel,
    string ChannelOrderId,
    IReadOnlyList<SkuQuantity> Lines,
    IReadOnlyList<SkuQuantity> Before,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The Shopify adapter edited (or could not edit) the Shopify order of a marketplace order whose units changed
/// there — some cancelled, lines changed: <c>Lines</c> are the units per SKU the Shopify order was asked to have,
/// <c>Outcome</c> says what Shopify did or why not. <c>ConnectionId</c> is the Shopify connection.</summary>
[MessageUrn("rakuten-platform:orders:shopify-order-edited:v1")]
[EntityName("rakuten-platform.orders.shopify-order-edited.v1")]
public sealed record ShopifyOrderEdited(
    Guid TenantId,
    Guid ConnectionId,
    Guid OrderId,
    string ShopifyOrderName,
    IReadOnlyList<SkuQuantity> Lines,
    bool Applied,
    string Outcome,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>Why the merchant cancels an order; each marketplace adapter maps it to its own code.</summary>
public static class CancellationReasons
{
    public const string BuyerRequest = "BuyerRequest";
    public const string OutOfStock = "OutOfStock";
    public const string ShippingDelay = "ShippingDelay";
    public const string Other = "Other";

    public static readonly IReadOnlyList<string> All = [BuyerRequest, OutOfStock, ShippingDelay, Other];
}
