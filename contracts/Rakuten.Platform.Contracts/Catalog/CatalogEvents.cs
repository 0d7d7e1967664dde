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
    string? ImageUrl,
    IReadOnlyList<VariantMetafield>? Metafields = null);

/// <summary>A Shopify variant metafield the platform reads (namespace <c>rakuten</c>; <c>Key</c> is <c>namespace.key</c>), e.g.
/// the marketplace SKU a connection matches on (issue 21). A snapshot's <c>Metafields</c> is null when its source does
/// not carry them (a product webhook): the catalog keeps the values it knows.</summary>
public sealed record VariantMetafield(string Key, string Value);

/// <remarks><c>ProductType</c>, <c>Tags</c> and <c>Collections</c> (handles; issue 21) choose the RMS genre; absent from adapters
/// before them. <c>Collections</c> is null when the source does not carry them (a product webhook): the catalog keeps those it knows.</remarks>
public sealed record ProductSnapshot(
    Guid ProductId,
    string Title,
    string? Brand,
    string? DescriptionHtml,
    IReadOnlyList<ProductOption> Options,
    IReadOnlyList<ProductVariant> Variants,
    IReadOnlyList<string> ImageUrls,
    string? ProductType = null,
    IReadOnlyList<string>? Tags = null,
    IReadOnlyList<string>? Collections = null);

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
    DateTimeOffset OccurredAt,
    AdoptedItem? Adopted = null) : IConnectionEvent;

[JsonConverter(typeof(JsonStringEnumConverter<AdoptionMode>))]
public enum AdoptionMode
{
    /// <summary>The merchant's item keeps its own id; the platform drives its stock, price and orders from now on.</summary>
    InPlace,

    /// <summary>The platform's own item takes over (the "SKU migration"): the merchant's item stops selling first.</summary>
    Move,
}

/// <summary>One SKU of an adopted item and the item's own variant id for it.</summary>
public sealed record AdoptedSku(string Sku, string VariantId);

/// <summary>The merchant's existing item that a listing drives (adopted in place) or replaces (moved), with the item's
/// own variant id per SKU.</summary>
public sealed record AdoptedItem(string ItemId, AdoptionMode Mode, IReadOnlyList<AdoptedSku> Skus)
{
    /// <summary>The item's variant id of a SKU, or null when the item does not carry it.</summary>
    public string? VariantIdOf(string sku) => Skus.FirstOrDefault(s => s.Sku == sku)?.VariantId;
}

/// <summary>One SKU of an item already on sale on a marketplace when the shop was connected, with its price there (absent
/// from adapters older than issue 21's match-or-create).</summary>
public sealed record ExistingChannelSku(string VariantId, string? Sku, string? Barcode, IReadOnlyList<string> Options, Money? Price = null);

/// <summary>An item (RMS) or offer (Rakuten France) already on sale when the shop was connected; <c>OptionNames</c> name the
/// options each SKU's <c>Options</c> gives values of, in the same order.</summary>
public sealed record ExistingChannelItem(string ItemId, string Title, bool Hidden, IReadOnlyList<ExistingChannelSku> Skus, IReadOnlyList<string>? OptionNames = null);

/// <summary>One page of the inventory a channel adapter takes of a connected shop's existing items. <c>Page</c>
/// counts from 0; the page with <c>Last</c> closes the inventory once every page before it has arrived.</summary>
[MessageUrn("rakuten-platform:catalog:channel-items-found:v1")]
[EntityName("rakuten-platform.catalog.channel-items-found.v1")]
public sealed record ChannelItemsFound(
    Guid TenantId,
    Guid ConnectionId,
    Channel Channel,
    Guid InventoryId,
    int Page,
    bool Last,
    int? TotalFound,
    IReadOnlyList<ExistingChannelItem> Items,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The merchant decided what the platform does with an existing item: <c>Adopt</c>, <c>Move</c>,
/// <c>LeaveAlone</c>, or null (undecided again). An adapter that would otherwise touch the item by its SKUs (Rakuten
/// France stock) keeps away from one left alone.</summary>
[MessageUrn("rakuten-platform:catalog:existing-item-decided:v1")]
[EntityName("rakuten-platform.catalog.existing-item-decided.v1")]
public sealed record ExistingItemDecided(
    Guid TenantId,
    Guid ConnectionId,
    string ItemId,
    IReadOnlyList<string> Skus,
    string? Decision,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The merchant hides (or shows again) the order button of existing items the platform does not drive.</summary>
[MessageUrn("rakuten-platform:catalog:order-button-requested:v1")]
[EntityName("rakuten-platform.catalog.order-button-requested.v1")]
public sealed record OrderButtonRequested(
    Guid TenantId,
    Guid ConnectionId,
    IReadOnlyList<string> ItemIds,
    bool Hide,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>A channel adapter reports that it hid or showed an existing item's order button (or could not).</summary>
[MessageUrn("rakuten-platform:catalog:order-button-changed:v1")]
[EntityName("rakuten-platform.catalog.order-button-changed.v1")]
public sealed record OrderButtonChanged(
    Guid TenantId,
    Guid ConnectionId,
    string ItemId,
    bool Hidden,
    ChannelError? Error,
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

/// <summary>One variant of a product the merchant asked to create in Shopify from an existing marketplace item.</summary>
public sealed record RequestedVariant(string Sku, IReadOnlyList<string> OptionValues, Money Price, string? Barcode);

/// <summary>The merchant asked to create in Shopify the product an existing marketplace item sells ("match or create"): the
/// Shopify adapter upserts it by a handle made of the item (so a repeat creates nothing twice); once in Shopify it comes
/// back as any product does and matches the item.</summary>
[MessageUrn("rakuten-platform:catalog:shopify-product-requested:v1")]
[EntityName("rakuten-platform.catalog.shopify-product-requested.v1")]
public sealed record ShopifyProductRequested(
    Guid TenantId,
    Guid ConnectionId,
    Channel Channel,
    string ItemId,
    string Title,
    IReadOnlyList<string> OptionNames,
    IReadOnlyList<RequestedVariant> Variants,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The Shopify adapter's answer to <see cref="ShopifyProductRequested"/>: the product made (or found by its handle),
/// or Shopify's refusal.</summary>
[MessageUrn("rakuten-platform:catalog:shopify-product-created:v1")]
[EntityName("rakuten-platform.catalog.shopify-product-created.v1")]
public sealed record ShopifyProductCreated(
    Guid TenantId,
    Guid ConnectionId,
    string ItemId,
    string? ShopifyProductId,
    string? Error,
    DateTimeOffset OccurredAt) : IConnectionEvent;
