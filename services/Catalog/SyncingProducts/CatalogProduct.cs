namespace Rakuten.Platform.Catalog.SyncingProducts;

/// <summary>A product as its source last described it (the snapshot is the ProductSynced product, as JSON).</summary>
public sealed class CatalogProduct
{
    public required Guid ProductId { get; init; }

    public required Guid TenantId { get; init; }

    public required Guid ConnectionId { get; init; }

    public required string ExternalProductId { get; init; }

    public required string Title { get; set; }

    public required string Snapshot { get; set; }

    public required long SourceVersion { get; set; }

    public bool Deleted { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }
}

public sealed class SkuClaimRow
{
    public required Guid TenantId { get; init; }

    public required Guid VariantId { get; init; }

    public required string Sku { get; set; }

    public required Guid ProductId { get; init; }

    public required string ProductTitle { get; set; }
}
