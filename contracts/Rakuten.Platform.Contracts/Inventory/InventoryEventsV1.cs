using MassTransit;

// v1 of the stock contracts, one SKU per message: no longer published. Still consumed, so that what an older
// version of a service left in the queues during an upgrade is applied rather than dropped.
namespace Rakuten.Platform.Contracts.Inventory.V1;

/// <summary>Shopify reports the available quantity of one SKU at one location. <c>Version</c> grows per
/// (inventory item, location); a consumer drops anything older than what it has.</summary>
[MessageUrn("rakuten-platform:inventory:stock-level-reported:v1")]
[EntityName("rakuten-platform.inventory.stock-level-reported.v1")]
public sealed record StockLevelReported(
    Guid TenantId,
    Guid ConnectionId,
    string Sku,
    string ExternalInventoryItemId,
    string LocationId,
    int Available,
    long Version,
    DateTimeOffset OccurredAt) : IConnectionEvent;

/// <summary>The quantity to list for one SKU on one channel connection changed. <c>Version</c> grows per
/// (connection, SKU); a channel adapter drops anything older than what it has pushed.</summary>
[MessageUrn("rakuten-platform:inventory:channel-stock-changed:v1")]
[EntityName("rakuten-platform.inventory.channel-stock-changed.v1")]
public sealed record ChannelStockChanged(
    Guid TenantId,
    Guid ConnectionId,
    Channel Channel,
    string Sku,
    int Quantity,
    long Version,
    DateTimeOffset OccurredAt) : IConnectionEvent;
