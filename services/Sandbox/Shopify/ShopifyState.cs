namespace Rakuten.Platform.Sandbox.Shopify;

/// <summary>One Shopify store: its token and webhook secret, catalog, locations and stock, orders and
/// fulfilments, webhook subscriptions, and its GraphQL cost bucket.</summary>
public sealed class ShopifyShop(string shop, string accessToken, string webhookSecret)
{
    public string Shop { get; } = shop;

    public string AccessToken { get; } = accessToken;

    public string WebhookSecret { get; } = webhookSecret;

    /// <summary>"development" stores may create at most 5 orders a minute (reference §B.2).</summary>
    public string Plan { get; set; } = "basic";

    /// <summary>The store's currency (<c>shop { currencyCode }</c>).</summary>
    public string Currency { get; set; } = "JPY";

    public Dictionary<long, SProduct> Products { get; init; } = [];

    /// <summary>The store's files on its CDN (product images), by name: served at <c>/shopify-cdn/{shop}/files/{name}</c>.</summary>
    public Dictionary<string, SFile> Files { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<long, SLocation> Locations { get; init; } = [];

    /// <summary>Available quantity per (inventory item, location).</summary>
    public Dictionary<(long Item, long Location), int> Levels { get; init; } = [];

    public Dictionary<long, SOrder> Orders { get; init; } = [];

    /// <summary>Open order edits by their session number (CalculatedOrder and OrderEditSession share it).</summary>
    public Dictionary<long, SEditSession> Edits { get; init; } = [];

    public List<SWebhook> Webhooks { get; init; } = [];

    /// <summary>Results of <c>@idempotent</c> mutations by key, replayed on a retry (reference §B.3).</summary>
    public Dictionary<string, string> IdempotentResults { get; init; } = new(StringComparer.Ordinal);

    public Queue<DateTimeOffset> RecentOrders { get; init; } = new();

    public double BucketAvailable { get; set; } = -1;

    public DateTimeOffset BucketUpdated { get; set; }
}

public sealed class SProduct
{
    public required long Id { get; init; }

    public required string Title { get; set; }

    /// <summary>The product's handle, when productSet made it (products made through the control API have none).</summary>
    public string? Handle { get; set; }

    public string? Vendor { get; set; }

    public string? ProductType { get; set; }

    public List<string> Tags { get; set; } = [];

    /// <summary>The handles of the collections the product is in.</summary>
    public List<string> Collections { get; set; } = [];

    public string? DescriptionHtml { get; set; }

    public string Status { get; set; } = "ACTIVE";

    public List<SOption> Options { get; set; } = [];

    public List<SVariant> Variants { get; set; } = [];

    public List<string> Images { get; set; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed record SOption(string Name, List<string> Values);

public sealed class SVariant
{
    public required long Id { get; init; }

    public required long InventoryItemId { get; init; }

    public string? Sku { get; set; }

    public string Title { get; set; } = "Default Title";

    public decimal Price { get; set; }

    public decimal? CompareAtPrice { get; set; }

    public string? Barcode { get; set; }

    public int Grams { get; set; }

    public List<string> OptionValues { get; set; } = [];

    /// <summary>The variant's metafields: namespace, key, value.</summary>
    public List<SMetafield> Metafields { get; set; } = [];
}

public sealed record SMetafield(string Namespace, string Key, string Value);

public sealed record SLocation(long Id, string Name);

public sealed class SOrder
{
    public required long Id { get; init; }

    public required string Name { get; init; }

    public required System.Text.Json.Nodes.JsonObject Input { get; init; }

    public List<string> Tags { get; init; } = [];

    public string? SourceName { get; init; }

    public string? SourceIdentifier { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CancelledAt { get; set; }

    /// <summary>The units orderCreate took from stock, per (inventory item, location): orderCancel with restock returns them.</summary>
    public List<(long Item, long Location, int Quantity)> Decremented { get; init; } = [];

    public List<SLine> Lines { get; init; } = [];

    public long FulfillmentOrderId { get; init; }

    /// <summary>fulfillmentOrderHold: the fulfillment order is ON_HOLD and cannot be fulfilled until released.</summary>
    public bool OnHold { get; set; }

    public string? HoldNotes { get; set; }

    public List<SFulfillment> Fulfillments { get; init; } = [];

    /// <summary>The committed order edits' staff notes, oldest first.</summary>
    public List<string> Edits { get; init; } = [];
}

/// <summary>An open order edit (orderEditBegin): quantities staged per line and variants staged to add, until orderEditCommit.</summary>
public sealed class SEditSession
{
    public required long Id { get; init; }

    public required long OrderId { get; init; }

    /// <summary>Line id → (new quantity, restock the units taken away).</summary>
    public Dictionary<long, (int Quantity, bool Restock)> Quantities { get; } = [];

    /// <summary>Variants to add: the staged line's id, the variant, the quantity.</summary>
    public List<(long LineId, SVariant Variant, int Quantity)> Added { get; } = [];
}

public sealed class SLine
{
    public required long Id { get; init; }

    public required long FulfillmentOrderLineItemId { get; init; }

    public long? VariantId { get; init; }

    public string? Sku { get; init; }

    public required string Title { get; init; }

    /// <summary>The current quantity (Shopify's <c>currentQuantity</c>): an order edit changes it.</summary>
    public int Quantity { get; set; }

    /// <summary>The quantity the line was created with (Shopify's <c>quantity</c>, which an edit leaves).</summary>
    public int OriginalQuantity { get; init; }

    public decimal UnitPrice { get; init; }

    public int Fulfilled { get; set; }
}

public sealed record SFulfillment(
    long Id, string Status, string? Company, IReadOnlyList<string> Numbers, IReadOnlyList<string> Urls,
    IReadOnlyList<(long LineId, int Quantity)> Lines, DateTimeOffset CreatedAt);

public sealed class SWebhook
{
    public required long Id { get; init; }

    public required string Topic { get; init; }

    public required string CallbackUrl { get; init; }

    public int ConsecutiveFailures { get; set; }
}

/// <summary>A file on the store's CDN: its bytes as uploaded and the type it is served as.</summary>
public sealed record SFile(string ContentType, byte[] Bytes);
