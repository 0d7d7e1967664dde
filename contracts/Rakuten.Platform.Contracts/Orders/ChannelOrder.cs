using System.Text.Json.Serialization;

namespace Rakuten.Platform.Contracts.Orders;

public sealed record Buyer(string Name, string? Email, string? Phone);

public sealed record LineOption(string Name, string Value);

/// <summary>One order line as the marketplace sold it. Rakuten JP fills ManageNumber/VariantId;
/// Rakuten France sells one item per unit, grouped here into one line per SKU with their item ids.
/// <c>Managed</c> is the adapter's word on whether the platform manages the line's item (RMS: a <c>v_</c> manage
/// number; the other channels: always) — Orders holds an order with an unmanaged line without knowing any
/// marketplace's numbering. Null only in orders stored before adapters stated it.</summary>
public sealed record OrderLine(
    string ChannelLineId,
    string? Sku,
    string? ManageNumber,
    string? VariantId,
    string? MerchantSku,
    string Title,
    int Quantity,
    Money UnitPrice,
    IReadOnlyList<LineOption> Options,
    string? ImageUrl,
    int? WeightGrams,
    IReadOnlyList<string> ChannelItemIds,
    bool? Managed);

public sealed record Coupon(string Code, string Name, Money Amount);

/// <summary>A package (RMS: a basket / 送付先) with its own ship-to and lines.</summary>
public sealed record OrderPackage(string PackageId, PostalAddress? ShipTo, IReadOnlyList<string> ChannelLineIds);

/// <summary>The unified order. <c>AmountsDetermined</c> is false while the marketplace has not fixed the order's
/// amounts (RMS writes -9999 until it has): the adapter says so, Orders holds the order. Null only in orders stored
/// before adapters stated it. <c>Unmapped</c> keeps what the marketplace gave beyond the mapped fields, by its path in the
/// marketplace's payload (issue 22); null in orders stored before it.</summary>
public sealed record ChannelOrder(
    Buyer Buyer,
    PostalAddress? ShipTo,
    PostalAddress? BillingAddress,
    IReadOnlyList<OrderLine> Lines,
    IReadOnlyList<OrderPackage> Packages,
    Money ShippingFee,
    IReadOnlyList<Coupon> Coupons,
    Money PointsUsed,
    Money Tax,
    Money Total,
    string? PaymentMethod,
    string? DeliveryMethod,
    bool Express,
    bool Gift,
    string? BuyerNotes,
    DateTimeOffset OrderedAt,
    bool? AmountsDetermined,
    IReadOnlyDictionary<string, string>? Unmapped = null);

/// <summary>The unified order status (DESIGN §11): what Shopify and internal systems see.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<UnifiedOrderStatus>))]
public enum UnifiedOrderStatus
{
    Received,
    Held,
    Accepted,
    PartiallyShipped,
    Shipped,
    Delivered,
    Completed,
    CancellationRequested,
    Cancelled,
}

[JsonConverter(typeof(JsonStringEnumConverter<HoldReason>))]
public enum HoldReason
{
    UnmanagedLine,
    UnknownSku,
    DuplicateSku,
    MissingShipTo,
    AmountNotDetermined,
    ShopifyRefused,
    MalformedPayload,
}

[JsonConverter(typeof(JsonStringEnumConverter<CancellationInitiator>))]
public enum CancellationInitiator
{
    Channel,
    Merchant,
}

public sealed record SkuQuantity(string Sku, int Quantity);

/// <summary>An order's units per SKU (its SKU, else the merchant's SKU; a line with neither is not counted): what an
/// acceptance reserves, and what the Shopify order should hold.</summary>
public static class OrderUnits
{
    public static IReadOnlyList<SkuQuantity> BySku(ChannelOrder? order) =>
        order?.Lines.Where(l => (l.Sku ?? l.MerchantSku) is not null).GroupBy(l => (l.Sku ?? l.MerchantSku)!)
            .Select(g => new SkuQuantity(g.Key, g.Sum(l => l.Quantity))).ToList() ?? [];
}
