namespace Rakuten.Platform.Sandbox.RakutenFr;

/// <summary>One Rakuten France professional seller: login (the account name) + token, offers by SKU, sales
/// (one item per unit sold), stock import files, and the hourly request and file counters.</summary>
public sealed class FrSeller(string login, string token, long sellerId)
{
    public string Login { get; } = login;

    public string Token { get; } = token;

    public long SellerId { get; } = sellerId;

    public Dictionary<string, FrOffer> Offers { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<long, FrSale> Sales { get; init; } = [];

    public Dictionary<long, FrImport> Imports { get; init; } = [];

    public Queue<DateTimeOffset> Requests { get; init; } = new();

    public Queue<DateTimeOffset> StockFiles { get; init; } = new();
}

public sealed class FrOffer
{
    public required long AdvertId { get; init; }

    public required long ProductId { get; init; }

    public required string Sku { get; init; }

    public required string Headline { get; set; }

    public decimal Price { get; set; }

    public int Stock { get; set; }

    public string? Ean { get; set; }
}

public sealed record FrAddress(
    string Civility, string LastName, string FirstName, string Address1, string? Address2, string ZipCode, string City,
    string Country, string CountryAlpha2, string? Phone);

public sealed record FrRelayPoint(string Id, string Name, string Address, string ZipCode, string City, string Country);

public sealed class FrSale
{
    public required long PurchaseId { get; init; }

    public required DateTimeOffset PurchaseDate { get; init; }

    public required string ShippingType { get; init; }

    public required string BuyerLogin { get; init; }

    public required string BuyerEmail { get; init; }

    public FrAddress? DeliveryAddress { get; init; }

    public FrRelayPoint? RelayPoint { get; init; }

    public required FrAddress BillingAddress { get; init; }

    public decimal ShippingPrice { get; init; }

    /// <summary>Prepaid-label modes: Rakuten issues the label and its tracking number.</summary>
    public string? PrepaidTrackingNumber { get; init; }

    public List<FrItem> Items { get; init; } = [];
}

public sealed class FrItem
{
    public required long ItemId { get; init; }

    public required long AdvertId { get; init; }

    public required string Sku { get; init; }

    public required string Headline { get; init; }

    public decimal Price { get; init; }

    public string Status { get; set; } = "TO_CONFIRM";

    public string? TransporterName { get; set; }

    public string? TrackingNumber { get; set; }

    public string? TrackingUrl { get; set; }

    public string? CancelComment { get; set; }
}

public sealed record FrImportLine(string Sku, string Status, IReadOnlyList<string> Errors);

public sealed record FrImport(long ImportId, string FileName, DateTimeOffset UploadedAt, IReadOnlyList<FrImportLine> Lines, string Status);

/// <summary>A product of Rakuten France's catalogue (not a seller's): adverts are created on it by its id or barcode.</summary>
/// <remarks>A product a seller created through genericimportfile has its <c>Alias</c>, its product <c>Attributes</c> and the
/// seller who created it; one without barcode is kept under <c>pid:{ProductId}</c>.</remarks>
public sealed record FrCatalogueProduct(long ProductId, string Ean, string Headline, string? Alias = null,
    IReadOnlyDictionary<string, string>? Attributes = null, string? CreatedBy = null, string? ImageUrl = null);
