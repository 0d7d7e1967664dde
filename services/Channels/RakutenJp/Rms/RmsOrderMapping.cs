using Rakuten.Platform.Channels.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.RakutenJp.Rms;

/// <summary>RMS OrderModel (getOrder version 10) → the platform's ChannelOrder. Amounts are integer JPY and
/// stay as RMS gives them; RMS's wire rules become explicit verdicts here — -9999 ("not yet determined") makes
/// <c>AmountsDetermined</c> false, a manage number without <c>v_</c> makes a line <c>Managed: false</c> — for the
/// Orders service to hold on, not to guess.</summary>
/// <summary>The merchant's items adopted on a connection (lower-case manage numbers), and the Shopify SKU of each of their
/// published variants by (manage number, variant id).</summary>
public sealed record AdoptedRmsItems(IReadOnlySet<string> ManageNumbers, IReadOnlyDictionary<(string ManageNumber, string VariantId), string> Skus)
{
    public static readonly AdoptedRmsItems None = new(new HashSet<string>(), new Dictionary<(string, string), string>());

    public bool Contains(string manageNumber) => ManageNumbers.Contains(manageNumber.ToLowerInvariant());

    public string? SkuOf(string? manageNumber, string? variantId) =>
        manageNumber is not null && variantId is not null && Contains(manageNumber) ? Skus.GetValueOrDefault((manageNumber.ToLowerInvariant(), variantId)) : null;
}

public static class RmsOrderMapping
{
    private const string Yen = "JPY";

    /// <param name="adopted">The merchant's own items adopted by the platform: their lines are managed too, and a line of
    /// one carries the Shopify SKU its variant was adopted for (the item's own SKU may differ when matched on a barcode or a
    /// metafield); RMS's <c>merchantDefinedSkuId</c> stays in <c>MerchantSku</c>.</param>
    public static ChannelOrder ToChannelOrder(JsonObject o, AdoptedRmsItems? adopted = null)
    {
        var orderer = o["OrdererModel"] as JsonObject ?? [];
        var packages = (o["PackageModelList"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var lines = new List<OrderLine>();
        var packageList = new List<OrderPackage>();
        foreach (var package in packages)
        {
            var ids = new List<string>();
            foreach (var (item, index) in (package["ItemModelList"] as JsonArray ?? []).OfType<JsonObject>().Select((x, i) => (x, i)))
            {
                var sku = (item["SkuModelList"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
                // Stable without itemDetailId too: the sweep compares fingerprints of the same order read twice.
                var id = Text(item["itemDetailId"]) ?? $"{Text(package["basketId"])}-{index}";
                ids.Add(id);
                lines.Add(new OrderLine(
                    id,
                    adopted?.SkuOf(Text(item["manageNumber"]), Text(sku?["variantId"])) ?? Text(sku?["merchantDefinedSkuId"]),
                    Text(item["manageNumber"]),
                    Text(sku?["variantId"]),
                    Text(sku?["merchantDefinedSkuId"]),
                    Text(item["itemName"]) ?? "",
                    Int(item["units"]),
                    new Money(Int(item["price"]), Yen),
                    Options(Text(sku?["skuInfo"]) ?? Text(item["selectedChoice"])),
                    null,
                    null,
                    [],
                    Managed: Text(item["manageNumber"]) is { } manageNumber
                        && (RmsItemMapping.IsManaged(manageNumber) || adopted?.Contains(manageNumber) == true)));
            }

            packageList.Add(new OrderPackage(Text(package["basketId"]) ?? "", Address(package["SenderModel"] as JsonObject), ids));
        }

        var coupons = (o["CouponModelList"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => new Coupon(Text(c["couponCode"]) ?? "", Text(c["couponName"]) ?? "", new Money(Int(c["couponTotalPrice"]), Yen)))
            .ToList();
        var tax = (o["TaxSummaryModelList"] as JsonArray ?? []).OfType<JsonObject>().Sum(t => Int(t["reqPriceTax"]));
        var orderedAt = OrderedAt(Text(o["orderDatetime"]));

        return new ChannelOrder(
            new Buyer($"{Text(orderer["familyName"])} {Text(orderer["firstName"])}".Trim(), Text(orderer["emailAddress"]), Phone(orderer)),
            packageList.FirstOrDefault()?.ShipTo,
            Address(orderer),
            lines,
            packageList,
            new Money(Int(o["postagePrice"]), Yen),
            coupons,
            new Money(Int(o["PointModel"]?["usedPoint"]), Yen),
            new Money(tax, Yen),
            new Money(Int(o["requestPrice"]), Yen),
            Text(o["SettlementModel"]?["settlementMethod"]),
            Text(o["DeliveryModel"]?["deliveryName"]),
            Int(o["asurakuFlag"]) == 1,
            Int(o["giftCheckFlag"]) == 1,
            Text(o["remarks"]),
            orderedAt,
            AmountsDetermined: !Undetermined(Int(o["requestPrice"]), Int(o["totalPrice"]), Int(o["postagePrice"])) && lines.All(l => !Undetermined(l.UnitPrice.Amount)),
            Unmapped: MarketplaceFields.Unmapped(o, Mapped));
    }

    /// <summary>The OrderModel fields the mapping above reads (the order number and progress travel beside the order):
    /// everything else RMS gives is kept on the order as it came (<see cref="ChannelOrder.Unmapped"/>).</summary>
    private static readonly HashSet<string> Mapped =
    [
        "orderNumber", "orderProgress", "familyName", "firstName", "prefecture", "city", "subAddress", "zipCode1", "zipCode2", "phoneNumber1", "phoneNumber2",
        "phoneNumber3", "emailAddress", "basketId", "itemDetailId", "manageNumber", "merchantDefinedSkuId", "variantId", "itemName", "units", "price",
        "selectedChoice", "skuInfo", "couponCode", "couponName", "couponTotalPrice", "reqPriceTax", "orderDatetime", "postagePrice", "usedPoint",
        "requestPrice", "totalPrice", "settlementMethod", "deliveryName", "asurakuFlag", "giftCheckFlag", "remarks",
    ];

    /// <summary>RMS writes -9999 for an amount it has not determined yet (a price to be confirmed, a shipping fee
    /// pending): such an order must not reach Shopify with those numbers.</summary>
    public const int UndeterminedAmount = -9999;

    private static bool Undetermined(params decimal[] amounts) => amounts.Any(a => a == UndeterminedAmount);

    /// <summary>RMS's <c>yyyy-MM-ddTHH:mm:ss+0900</c> (no colon in the offset).</summary>
    private static DateTimeOffset OrderedAt(string? text) =>
        text is { Length: 24 } && DateTimeOffset.TryParseExact(text.Insert(22, ":"), "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToUniversalTime()
            : throw new FormatException($"orderDatetime '{text}' is not an RMS date (yyyy-MM-ddTHH:mm:ss+0900)");

    /// <summary>What the platform was told about an order, in a few bytes: a different fingerprint means it changed.</summary>
    /// <remarks>The adapter's verdicts (<c>Managed</c>, <c>AmountsDetermined</c>) follow from the fields hashed and are
    /// left out, so fingerprints stored before the verdicts existed still match an unchanged order.</remarks>
    public static string Fingerprint(ChannelOrder? order, string? parseError) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            order is null ? "error:" + parseError : System.Text.Json.JsonSerializer.Serialize(order, FingerprintJson))))[..32];

    private static readonly System.Text.Json.JsonSerializerOptions FingerprintJson = new()
    {
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                type =>
                {
                    // Unmapped too: RMS's own bookkeeping fields (update times, flags) must not make a sweep hand the order on again.
                    string[] verdicts = type.Type == typeof(OrderLine) ? [nameof(OrderLine.Managed)]
                        : type.Type == typeof(ChannelOrder) ? [nameof(ChannelOrder.AmountsDetermined), nameof(ChannelOrder.Unmapped)] : [];
                    foreach (var property in type.Properties.Where(p => verdicts.Contains(p.Name)).ToList())
                    {
                        type.Properties.Remove(property);
                    }
                },
            },
        },
    };

    /// <summary>A ship-to still waiting for the recipient (RMS's 入力待ち placeholders) is no address at all.</summary>
    private static PostalAddress? Address(JsonObject? a)
    {
        if (a is null || Text(a["prefecture"]) is null or "入力待ち")
        {
            return null;
        }

        return new PostalAddress(
            $"{Text(a["familyName"])} {Text(a["firstName"])}".Trim(),
            null,
            $"{Text(a["city"])}{Text(a["subAddress"])}",
            null,
            Text(a["city"]) ?? "",
            Text(a["prefecture"]),
            $"{Text(a["zipCode1"])}-{Text(a["zipCode2"])}",
            "JP",
            Phone(a));
    }

    private static string? Phone(JsonObject a) =>
        new[] { Text(a["phoneNumber1"]), Text(a["phoneNumber2"]), Text(a["phoneNumber3"]) } is var parts && parts.All(p => p is not null)
            ? string.Join('-', parts)
            : null;

    private static List<LineOption> Options(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .Select(p => new LineOption(p[0], p[1]))
            .ToList();

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    private static int Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var i) ? i : 0;
}
