namespace Rakuten.Platform.Catalog.PublishingListings;

/// <summary>What the merchant wants for a product on one connection.</summary>
public enum ListingIntent
{
    Listed,
    Hidden,
    Withdrawn,
}

/// <summary>Where the listing stands on the channel: Pending while a request is out, then what the adapter reported.</summary>
public enum ListingState
{
    Pending,
    Published,
    Failed,
    Hidden,
    Withdrawn,

    /// <summary>The shop's existing item carries this product and the merchant left it alone: nothing is published.</summary>
    LeftAlone,
}

/// <summary>One product on one Rakuten connection. <c>Version</c> grows with every request, so a late reply
/// to an older request changes nothing.</summary>
public sealed class Listing
{
    public required Guid ListingId { get; init; }

    public required Guid TenantId { get; init; }

    public required Guid ProductId { get; init; }

    public required Guid ConnectionId { get; init; }

    public required string Channel { get; init; }

    public ListingIntent Intent { get; set; }

    public ListingState State { get; set; }

    /// <summary>Why the catalog itself refuses the listing (a duplicate SKU), until the merchant fixes it.</summary>
    public string? BlockedReason { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    /// <summary>The channel's id for it (the RMS manage number) once it has been live.</summary>
    public string? ChannelListingId { get; set; }

    public bool Hidden { get; set; }

    /// <summary>A request that may have put the product on sale went out: a later refusal must hide it there.</summary>
    public bool RequestedLive { get; set; }

    public long Version { get; set; }

    /// <summary>The prices the last publish request carried, per SKU (JSON of <see cref="Pricing.PriceSent"/>).</summary>
    public string? PricesSent { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A Rakuten connection the catalog publishes to, learnt from ConnectionHealthChanged.</summary>
public sealed class ListingConnection
{
    public required Guid ConnectionId { get; init; }

    public required Guid TenantId { get; init; }

    public required string Channel { get; init; }

    public bool Removed { get; set; }

    public required DateTimeOffset SeenAt { get; init; }

    /// <summary>What the onboarding matches Shopify and the existing items on (<c>Sku</c>, <c>Barcode</c> or <c>Metafield</c>).</summary>
    public string MatchKey { get; set; } = "Sku";

    /// <summary>With <c>Metafield</c>: the Shopify variant metafield (<c>rakuten.key</c>) holding the marketplace's SKU.</summary>
    public string? MatchMetafield { get; set; }
}
