using System.Text.Json.Nodes;

namespace Rakuten.Platform.Sandbox.Rms;

/// <summary>One RMS shop: its credentials (several license keys may be valid at once — a renewed key does not
/// revoke the old one before its own expiry, reference/rakuten-jp-rms.md §1.2), orders, items and stock.</summary>
public sealed class RmsShop(string shopId, string serviceSecret, string url)
{
    public string ShopId { get; } = shopId;

    /// <summary>The shop's URL code (www.rakuten.co.jp/{url}/), as shopMaster gives it.</summary>
    public string Url { get; } = url;

    public string ShopName => $"{Url} shop";

    public string ServiceSecret { get; } = serviceSecret;

    public Dictionary<string, DateTimeOffset> LicenseKeys { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, RmsOrder> Orders { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Items by (lower-case) manage number, as the JSON the Items API stores.</summary>
    public Dictionary<string, RmsItem> Items { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Stock by (manage number, variant id): manage numbers lower-cased, variant ids case-sensitive.</summary>
    public Dictionary<(string ManageNumber, string VariantId), RmsInventory> Inventory { get; init; } = new();

    /// <summary>R-Cabinet, the shop's image storage (CabinetAPI).</summary>
    public RmsCabinet Cabinet { get; init; } = new();

    public int OrderSequence { get; set; }

    public long NextBasketId { get; set; } = 10_000_001;

    public long NextItemDetailId { get; set; } = 20_000_001;

    public long NextShippingDetailId { get; set; } = 30_000_001;

    public long NextItemId { get; set; } = 10_000_001;
}

public sealed class RmsItem(JsonObject body, long itemId, DateTimeOffset created)
{
    public JsonObject Body { get; set; } = body;

    public long ItemId { get; } = itemId;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset Updated { get; set; } = created;
}

public sealed class RmsInventory(int quantity, DateTimeOffset created)
{
    public int Quantity { get; set; } = quantity;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset Updated { get; set; } = created;
}

public sealed record RmsAddress(
    string FamilyName,
    string FirstName,
    string? FamilyNameKana,
    string? FirstNameKana,
    string ZipCode,
    string Prefecture,
    string City,
    string SubAddress,
    string? PhoneNumber);

public sealed class RmsOrderItem
{
    public long ItemDetailId { get; set; }

    public required string ItemName { get; set; }

    public long ItemId { get; set; }

    public required string ManageNumber { get; set; }

    public string? VariantId { get; set; }

    public string? MerchantDefinedSkuId { get; set; }

    public string? SkuInfo { get; set; }

    public string? SelectedChoice { get; set; }

    public int Price { get; set; }

    public int Units { get; set; }

    public double TaxRate { get; set; } = 0.1;
}

public sealed class RmsShipping
{
    public long ShippingDetailId { get; set; }

    public string? DeliveryCompany { get; set; }

    public string? ShippingNumber { get; set; }

    public string? ShippingDate { get; set; }
}

public sealed class RmsPackage
{
    public long BasketId { get; set; }

    public RmsAddress? Sender { get; set; }

    public int PostagePrice { get; set; }

    public string? DefaultDeliveryCompanyCode { get; set; }

    public List<RmsOrderItem> Items { get; init; } = [];

    public List<RmsShipping> Shippings { get; init; } = [];
}

public sealed record RmsCoupon(string Code, string Name, int Price, int Units, long ItemId, int Capital);

public sealed class RmsOrder
{
    public required string OrderNumber { get; set; }

    /// <summary>Top-level OrderModel fields replaced as given (control: a malformed payload).</summary>
    public Dictionary<string, System.Text.Json.Nodes.JsonNode?> Corruptions { get; init; } = [];

    public int OrderProgress { get; set; } = 100;

    public DateTimeOffset OrderDatetime { get; set; }

    public DateTimeOffset? ShopOrderCfmDatetime { get; set; }

    public DateTimeOffset? OrderFixDatetime { get; set; }

    public DateTimeOffset? ShippingCmplRptDatetime { get; set; }

    public required RmsAddress Orderer { get; set; }

    public string? Email { get; set; }

    public List<RmsPackage> Packages { get; init; } = [];

    public List<RmsCoupon> Coupons { get; init; } = [];

    public int UsedPoint { get; set; }

    public int SettlementMethodCode { get; set; } = 1;

    public string DeliveryName { get; set; } = "宅配便";

    public int AsurakuFlag { get; set; }

    public int GiftCheckFlag { get; set; }

    public string? Remarks { get; set; }

    public int ShippingTerm { get; set; }

    /// <summary>RMS reports -9999 (未確定) for amounts not yet determined (e.g. postage after a change).</summary>
    public bool AmountsUndetermined { get; set; }

    public List<JsonObject> ChangeReasons { get; init; } = [];
}
