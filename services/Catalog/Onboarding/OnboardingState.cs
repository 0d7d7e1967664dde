namespace Rakuten.Platform.Catalog.Onboarding;

/// <summary>The inventory of a connection's existing items as it arrives page by page. <c>CompletedAt</c> is set once every
/// page up to the last has arrived; <c>FirstCompletedAt</c> keeps that the catalog may publish to the connection.</summary>
public sealed class ChannelInventory
{
    public required Guid ConnectionId { get; init; }

    public required Guid TenantId { get; init; }

    public required string Channel { get; init; }

    public required Guid InventoryId { get; set; }

    public int PagesReceived { get; set; }

    public int? LastPage { get; set; }

    public int? TotalFound { get; set; }

    public int Items { get; set; }

    public required DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset? FirstCompletedAt { get; set; }
}

/// <summary>An item (RMS) or offer (Rakuten France) the shop already sold when it was connected; its SKUs as JSON.</summary>
public sealed class ChannelItemRow
{
    public required Guid ConnectionId { get; init; }

    public required string ItemId { get; init; }

    public required Guid TenantId { get; init; }

    public required Guid InventoryId { get; set; }

    public required string Title { get; set; }

    public bool Hidden { get; set; }

    public required string Skus { get; set; }

    /// <summary>The item's option names (JSON), in the order of each SKU's option values.</summary>
    public string? OptionNames { get; set; }
}

/// <summary>One key (SKU or barcode) of an existing item, so a product's keys find the items that carry them.</summary>
public sealed class ChannelItemKey
{
    public required Guid ConnectionId { get; init; }

    public required string KeyKind { get; init; }

    public required string KeyValue { get; init; }

    public required string ItemId { get; init; }
}

/// <summary>What the merchant chose for an existing item: adopt it (in place, or moved to the platform's own item), leave
/// it alone, or none yet; and whether its order button is to be hidden while it is not adopted.</summary>
public sealed class ItemDecision
{
    public required Guid ConnectionId { get; init; }

    public required string ItemId { get; init; }

    public required Guid TenantId { get; init; }

    public string? Decision { get; set; }

    public bool? OrderButtonHidden { get; set; }

    public bool? OrderButtonRequested { get; set; }

    public string? OrderButtonError { get; set; }

    /// <summary>Its creation in Shopify: <c>requested</c>, <c>created gid://…</c>, or <c>refused: …</c> (null: never asked).</summary>
    public string? ShopifyCreation { get; set; }

    public required DateTimeOffset DecidedAt { get; set; }

    public required string DecidedBy { get; set; }
}

/// <summary>A product's place in the onboarding of one connection (matched to an item, or in conflict), kept so each
/// listing decision reads one row instead of matching the whole shop again.</summary>
public sealed class ProductMatch
{
    public required Guid ConnectionId { get; init; }

    public required Guid ProductId { get; init; }

    public required Guid TenantId { get; init; }

    public required string Kind { get; set; }

    public required string ItemId { get; set; }

    public required string Reason { get; set; }

    public required string VariantIds { get; set; }
}

/// <summary>The merchant's choices for an existing item.</summary>
public static class ItemDecisions
{
    public const string Adopt = "Adopt";
    public const string Move = "Move";
    public const string LeaveAlone = "LeaveAlone";
}
