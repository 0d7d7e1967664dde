using MassTransit;

namespace Rakuten.Platform.Contracts.Shipping;

public sealed record ShippedLine(string? Sku, string? ChannelLineId, int Quantity);

/// <summary>A Shopify fulfilment, as the merchant recorded it. <c>ConnectionId</c> is the Shopify connection;
/// <c>Version</c> orders deliveries of the same fulfilment.</summary>
[MessageUrn("rakuten-platform:shipping:fulfillment-reported:v1")]
[EntityName("rakuten-platform.shipping.fulfillment-reported.v1")]
public sealed record FulfillmentReported(
    Guid TenantId,
    Guid ConnectionId,
    string ShopifyOrderId,
    string FulfillmentId,
    string Status,
    string? Carrier,
    IReadOnlyList<string> TrackingNumbers,
    IReadOnlyList<string> TrackingUrls,
    IReadOnlyList<ShippedLine> Lines,
    DateTimeOffset ShippedAt,
    long Version,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The carrier as each marketplace names it, resolved by the Shipping service's registry.</summary>
public sealed record CarrierInfo(
    string Name,
    string? RakutenJpCode,
    string? RakutenFrTransporter,
    string? TrackingUrl);

public sealed record ShipmentPackage(
    string PackageId,
    CarrierInfo Carrier,
    string? TrackingNumber,
    IReadOnlyList<ShippedLine> Lines);

/// <summary>The units a shipment carries: several boxes of one RMS basket list the same lines once per box.</summary>
public static class ShipmentUnits
{
    public static int Of(IEnumerable<ShipmentPackage> packages) =>
        packages.SelectMany(p => p.Lines.Select(l => (p.PackageId, l.ChannelLineId, l.Sku, l.Quantity))).Distinct().Sum(x => x.Quantity);
}

/// <summary>A shipment left the warehouse; the marketplace adapter reports it and Inventory consumes the
/// reservation. <c>ConnectionId</c> is the marketplace connection. <c>Attempt</c> (issue 22) is 1, then one more each
/// time a shipment the marketplace refused is sent again once its cause is fixed, or its tracking is corrected in Shopify
/// after it was reported: then <c>ReplacedTrackingNumbers</c> names the numbers the marketplace was told before, for it to
/// update rather than add to.</summary>
[MessageUrn("rakuten-platform:shipping:shipment-dispatched:v1")]
[EntityName("rakuten-platform.shipping.shipment-dispatched.v1")]
public sealed record ShipmentDispatched(
    Guid TenantId,
    Guid ConnectionId,
    Guid ShipmentId,
    Guid OrderId,
    Channel Channel,
    string ChannelOrderId,
    IReadOnlyList<ShipmentPackage> Packages,
    DateTimeOffset ShippedAt,
    DateTimeOffset OccurredAt,
    int Attempt = 1,
    IReadOnlyList<string>? ReplacedTrackingNumbers = null) : IConnectionEvent;

[MessageUrn("rakuten-platform:shipping:shipment-confirmed-by-channel:v1")]
[EntityName("rakuten-platform.shipping.shipment-confirmed-by-channel.v1")]
public sealed record ShipmentConfirmedByChannel(
    Guid TenantId,
    Guid ConnectionId,
    Guid ShipmentId,
    Guid OrderId,
    string ChannelOrderId,
    DateTimeOffset OccurredAt) : IConnectionEvent;

[MessageUrn("rakuten-platform:shipping:shipment-rejected-by-channel:v1")]
[EntityName("rakuten-platform.shipping.shipment-rejected-by-channel.v1")]
public sealed record ShipmentRejectedByChannel(
    Guid TenantId,
    Guid ConnectionId,
    Guid ShipmentId,
    Guid OrderId,
    string ChannelOrderId,
    ChannelError Error,
    DateTimeOffset OccurredAt) : IConnectionEvent;

[MessageUrn("rakuten-platform:shipping:shipment-delivered:v1")]
[EntityName("rakuten-platform.shipping.shipment-delivered.v1")]
public sealed record ShipmentDelivered(
    Guid TenantId,
    Guid ConnectionId,
    Guid ShipmentId,
    Guid OrderId,
    DateTimeOffset DeliveredAt,
    DateTimeOffset OccurredAt) : IConnectionEvent;
