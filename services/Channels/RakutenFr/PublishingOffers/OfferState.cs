namespace Rakuten.Platform.Channels.RakutenFr.PublishingOffers;

/// <summary>A Rakuten France offer as the last export showed it: the seller's SKU is the only key that matters.</summary>
public sealed class KnownOffer
{
    public required Guid ConnectionId { get; init; }

    public required string Sku { get; init; }

    public long AdvertId { get; set; }

    public decimal Price { get; set; }

    public int Stock { get; set; }

    public required DateTimeOffset RefreshedAt { get; set; }
}

/// <summary>A change waiting for (ImportId null) or carried by a stock file. Pending changes of one SKU are
/// coalesced: the latest wins. A change may answer a listing request (ListingId, ListingVersion, Action).</summary>
public sealed class OfferChange
{
    public required Guid Id { get; init; }

    public required Guid ConnectionId { get; init; }

    public required Guid TenantId { get; init; }

    public required string Sku { get; init; }

    public decimal? Price { get; set; }

    public int? Stock { get; set; }

    public Guid? ListingId { get; set; }

    public long? ListingVersion { get; set; }

    public Guid? ProductId { get; set; }

    public string? Action { get; set; }

    public long? ImportId { get; set; }

    /// <summary>The EAN-13 of the catalogue product the line creates its advert on (null: the advert exists).</summary>
    public string? Ean { get; set; }

    /// <summary>The product page the line creates with its advert (a <see cref="ProductPages.ProductPageDraft"/> as JSON), when
    /// Rakuten France's catalogue may lack the product.</summary>
    public string? ProductPage { get; set; }

    /// <summary>The line creates the advert: it carries qty and state, and takes stock before the advert is known.</summary>
    public bool Creates => Ean is not null || ProductPage is not null;

    public ProductPages.ProductPageDraft? Page() => ProductPage is null ? null
        : System.Text.Json.JsonSerializer.Deserialize<ProductPages.ProductPageDraft>(ProductPage, BuildingBlocks.Messaging.PlatformJson.Options);

    public required DateTimeOffset QueuedAt { get; set; }

    /// <summary>The trace of the latest change the line carries (W3C traceparent): the file that sends it links to it.</summary>
    public string? TraceParent { get; set; }
}

/// <summary>A stock file sent to Rakuten France: at most <c>FilesPerHour</c> of them in any hour.</summary>
public sealed class OfferImport
{
    public required long ImportId { get; init; }

    public required Guid ConnectionId { get; init; }

    public required DateTimeOffset SentAt { get; init; }

    public string Status { get; set; } = "";

    public bool Done { get; set; }

    /// <summary>The report's refused lines, per SKU, as a JSON array of "SKU x: error" texts.</summary>
    public string Failures { get; set; } = "[]";
}

/// <summary>When the offer cache of a connection was last refreshed from the export.</summary>
public sealed class OfferCatalog
{
    public required Guid ConnectionId { get; init; }

    public required DateTimeOffset RefreshedAt { get; set; }
}
