using System.Text.Json.Serialization;
using MassTransit;

namespace Rakuten.Platform.Contracts.Catalog;

public sealed record ProductOption(string Name, IReadOnlyList<string> Values);

public sealed record ProductVariant(
    Guid VariantId,
    string ExternalVariantId,
    string? Sku,
    string Title,
    IReadOnlyList<string> OptionValues,
    Money Price,
    Money? CompareAtPrice,
    string? Barcode,
    int? WeightGrams,
    string? ImageUrl);

public sealed record ProductSnapshot(
    Guid ProductId,
    string Title,
    string? Brand,
    string? DescriptionHtml,
    IReadOnlyList<ProductOption> Options,
    IReadOnlyList<ProductVariant> Variants,
    IReadOnlyList<string> ImageUrls);

/// <summary>Shopify (the system of record) has this product in this state. <c>SourceVersion</c> orders
/// deliveries: an older one than the catalog already knows is stale and changes nothing.</summary>
[MessageUrn("rakuten-platform:catalog:product-synced:v1")]
[EntityName("rakuten-platform.catalog.product-synced.v1")]
public sealed record ProductSynced(
    Guid TenantId,
    Guid ConnectionId,
    string ExternalProductId,
    ProductSnapshot Product,
    bool Deleted,
    long SourceVersion,
    DateTimeOffset OccurredAt) : IConnectionEvent;

[JsonConverter(typeof(JsonStringEnumConverter<ListingAction>))]
public enum ListingAction
{
    Publish,
    Hide,
    Unhide,
    Withdraw,
}

/// <summary>The catalog asks a channel adapter to bring one product's listing on one connection to a state.</summary>
[MessageUrn("rakuten-platform:catalog:listing-requested:v1")]
[EntityName("rakuten-platform.catalog.listing-requested.v1")]
public sealed record ListingRequested(
    Guid TenantId,
    Guid ConnectionId,
    Guid ListingId,
    ListingAction Action,
    ProductSnapshot Product,
    long Version,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>A channel adapter reports that a listing is live (or hidden, when that was asked).</summary>
[MessageUrn("rakuten-platform:catalog:listing-published:v1")]
[EntityName("rakuten-platform.catalog.listing-published.v1")]
public sealed record ListingPublished(
    Guid TenantId,
    Guid ConnectionId,
    Guid ListingId,
    Guid ProductId,
    string ChannelListingId,
    bool Hidden,
    long Version,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>A channel refused a listing; <c>Hidden</c> says whether the adapter could hide the item from sale.</summary>
[MessageUrn("rakuten-platform:catalog:listing-failed:v1")]
[EntityName("rakuten-platform.catalog.listing-failed.v1")]
public sealed record ListingFailed(
    Guid TenantId,
    Guid ConnectionId,
    Guid ListingId,
    Guid ProductId,
    ChannelError Error,
    bool Hidden,
    long Version,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The listing was removed from the channel at the merchant's request.</summary>
[MessageUrn("rakuten-platform:catalog:listing-withdrawn:v1")]
[EntityName("rakuten-platform.catalog.listing-withdrawn.v1")]
public sealed record ListingWithdrawn(
    Guid TenantId,
    Guid ConnectionId,
    Guid ListingId,
    Guid ProductId,
    DateTimeOffset OccurredAt) : IConnectionEvent;

public sealed record SkuClaim(Guid ProductId, string ProductTitle, Guid VariantId);

/// <summary>A SKU is used by more than one variant: every claimant is refused for the channels until it is fixed.</summary>
[MessageUrn("rakuten-platform:catalog:sku-rejected:v1")]
[EntityName("rakuten-platform.catalog.sku-rejected.v1")]
public sealed record SkuRejected(
    Guid TenantId,
    string Sku,
    IReadOnlyList<SkuClaim> Claims,
    string Reason,
    DateTimeOffset OccurredAt) : IIntegrationEvent;
