using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.ImportingOrders;

/// <summary>The order read model (the event stream <c>order-{id}</c> is the record of what happened).</summary>
public sealed class OrderRecord
{
    public required Guid OrderId { get; init; }

    public required Guid TenantId { get; init; }

    public required Guid ConnectionId { get; init; }

    public required string Channel { get; init; }

    public required string ChannelOrderId { get; init; }

    public required string ChannelStatus { get; set; }

    public UnifiedOrderStatus Status { get; set; }

    public HoldReason? HoldReason { get; set; }

    public string? HoldDetail { get; set; }

    public string? HoldAction { get; set; }

    /// <summary>A hold the merchant released: the rules no longer hold the order for it (only a missing ship-to).</summary>
    public HoldReason? ReleasedHold { get; set; }

    /// <summary>The order's trace (W3C traceparent of its import): later work on the order continues it.</summary>
    public string? TraceParent { get; set; }

    /// <summary>When the merchant dismissed the current hold (handled outside the platform); null otherwise.</summary>
    public DateTimeOffset? HoldDismissedAt { get; set; }

    /// <summary>The unified order as JSON (null when the payload could not be read).</summary>
    public string? Order { get; set; }

    public string? ParseError { get; set; }

    public string? ShopifyOrderId { get; set; }

    public string? ShopifyOrderName { get; set; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The SKUs the catalog knows, per product (from ProductSynced), for the unknown/duplicate SKU holds.</summary>
public sealed class CatalogSku
{
    public required Guid TenantId { get; init; }

    public required string Sku { get; init; }

    public required Guid ProductId { get; init; }
}

/// <summary>The marketplace's order as its adapter mapped it (or its parse error): the first event of every order
/// stream. <c>TenantId</c> is empty in streams written before it was stated (their events' metadata carries it).</summary>
[StoredEvent("order-received.v1")]
public sealed record OrderReceived(Guid OrderId, Guid ConnectionId, Channel Channel, string ChannelOrderId, string ChannelStatus, ChannelOrder? Order, string? ParseError,
    Guid TenantId = default);

/// <summary>The order is held: why, and what resolves it.</summary>
[StoredEvent("order-held.v1")]
public sealed record OrderWasHeld(HoldReason Reason, string Detail, string Action);

/// <summary>The order goes to Shopify: from which status, the units its acceptance reserves, and the hold it leaves
/// (null straight from receipt). Accepted events stored before these fields were stated carry none of them.</summary>
[StoredEvent("order-accepted.v1")]
public sealed record OrderWasAccepted(UnifiedOrderStatus From = UnifiedOrderStatus.Received, IReadOnlyList<SkuQuantity>? Units = null, HoldReason? LeftHold = null);

[StoredEvent("order-exported.v1")]
public sealed record OrderWasExported(string ShopifyOrderId, string ShopifyOrderName);

[StoredEvent("order-content-changed.v1")]
public sealed record OrderContentChanged(ChannelOrder? Order, string? ParseError);

/// <summary>The marketplace changed an accepted order's lines before it shipped: its units per SKU before and after.</summary>
[StoredEvent("order-lines-changed.v1")]
public sealed record OrderLinesWereChanged(IReadOnlyList<SkuQuantity> Before, IReadOnlyList<SkuQuantity> After);

/// <summary>What the Shopify adapter did to the Shopify order when the marketplace order's units changed.</summary>
[StoredEvent("order-shopify-edit-reported.v1")]
public sealed record OrderShopifyEditWasReported(IReadOnlyList<SkuQuantity> Lines, bool Applied, string Outcome);

[StoredEvent("order-hold-released.v1")]
public sealed record OrderHoldWasReleased(HoldReason Reason);

[StoredEvent("order-hold-dismissed.v1")]
public sealed record OrderHoldWasDismissed(HoldReason Reason, string? Note);
