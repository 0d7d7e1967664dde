namespace Rakuten.Platform.Shipping.ReportingShipments;

/// <summary>An accepted marketplace order the Shipping service can ship, and its Shopify order once exported.</summary>
public sealed class ShippingOrder
{
    public required Guid OrderId { get; init; }

    public required Guid TenantId { get; init; }

    /// <summary>The marketplace connection.</summary>
    public required Guid ConnectionId { get; init; }

    public required string Channel { get; init; }

    public required string ChannelOrderId { get; init; }

    /// <summary>The accepted ChannelOrder, as JSON.</summary>
    public required string Order { get; init; }

    public string? ShopifyOrderId { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }
}

public enum ShipmentStatus
{
    /// <summary>Sent to the marketplace adapter; no answer yet.</summary>
    Dispatched,
    Confirmed,
    Rejected,
    Delivered,
}

/// <summary>One Shopify fulfilment of an order, as the marketplace is told about it.</summary>
public sealed class Shipment
{
    public required Guid ShipmentId { get; init; }

    public required Guid OrderId { get; init; }

    public required string FulfillmentId { get; init; }

    public string? Carrier { get; set; }

    /// <summary>JSON array.</summary>
    public required string TrackingNumbers { get; set; }

    /// <summary>The ShipmentPackage list, as JSON.</summary>
    public required string Packages { get; set; }

    public required int Units { get; set; }

    public ShipmentStatus Status { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public required long Version { get; set; }

    public required DateTimeOffset ShippedAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }
}

public sealed class CarrierOverrideRow
{
    public required Guid TenantId { get; init; }

    public required string ShopifyName { get; init; }

    public string? RakutenJpCode { get; set; }

    public string? RakutenFrTransporter { get; set; }

    public string? TrackingUrl { get; set; }
}
