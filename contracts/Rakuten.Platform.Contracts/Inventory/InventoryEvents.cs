using MassTransit;

namespace Rakuten.Platform.Contracts.Inventory;

/// <summary>Shopify reported the available quantity of some SKUs at some locations: the levels one unit of work of
/// the Shopify adapter handed on for one connection. <c>Version</c> grows per (inventory item, location); a consumer
/// drops any level older than what it has. v2 carries many levels: a message per level (v1) made the broker, the
/// outboxes and the inboxes the ceiling of a burst of stock changes.</summary>
[MessageUrn("rakuten-platform:inventory:stock-level-reported:v2")]
[EntityName("rakuten-platform.inventory.stock-level-reported.v2")]
public sealed record StockLevelReported(
    Guid TenantId,
    Guid ConnectionId,
    IReadOnlyList<ReportedStockLevel> Levels,
    DateTimeOffset OccurredAt) : IConnectionEvent;

public sealed record ReportedStockLevel(
    string Sku,
    string ExternalInventoryItemId,
    string LocationId,
    int Available,
    long Version);

/// <summary>The quantities to list for some SKUs on one channel connection changed (only those that changed).
/// <c>Version</c> grows per (connection, SKU); a channel adapter drops any quantity older than what it has.
/// v2 carries many SKUs; v1 carried one per message.</summary>
[MessageUrn("rakuten-platform:inventory:channel-stock-changed:v2")]
[EntityName("rakuten-platform.inventory.channel-stock-changed.v2")]
public sealed record ChannelStockChanged(
    Guid TenantId,
    Guid ConnectionId,
    Channel Channel,
    IReadOnlyList<ChannelSkuQuantity> Quantities,
    DateTimeOffset OccurredAt) : IConnectionEvent;

public sealed record ChannelSkuQuantity(
    string Sku,
    int Quantity,
    long Version);

/// <summary>One component of a kit: a SKU and how many of it one kit takes.</summary>
public sealed record KitComponent(string Sku, int Quantity);

/// <summary>A kit SKU was defined, changed or removed (<c>Removed</c>): the components one unit of it is made of. Inventory
/// lists the kit at the minimum its components allow and reserves the components when a kit sells; the Shopify adapter
/// writes the components into the Shopify order so that Shopify's own stock counts them. <c>Version</c> grows per kit.</summary>
[MessageUrn("rakuten-platform:inventory:kit-changed:v1")]
[EntityName("rakuten-platform.inventory.kit-changed.v1")]
public sealed record KitChanged(
    Guid TenantId,
    string KitSku,
    IReadOnlyList<KitComponent> Components,
    bool Removed,
    long Version,
    DateTimeOffset OccurredAt) : IIntegrationEvent;
