namespace Rakuten.Platform.Channels.RakutenJp.PushingStock;

/// <summary>Where a SKU lives in RMS: the managed item and variant the platform published it as.</summary>
public sealed class RmsSku
{
    public required Guid ConnectionId { get; init; }

    public required string Sku { get; init; }

    public required string ManageNumber { get; set; }

    public required string VariantId { get; set; }
}

/// <summary>The quantity to list for a SKU (latest version wins) and what was last pushed to RMS.</summary>
public sealed class StockPush
{
    public required Guid ConnectionId { get; init; }

    public required string Sku { get; init; }

    public int Quantity { get; set; }

    public long Version { get; set; }

    public long PushedVersion { get; set; }

    public int? PushedQuantity { get; set; }

    /// <summary>RMS's refusal of the last push of this SKU (code: message), shown to the merchant.</summary>
    public string? Error { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The trace of the change waiting here (W3C traceparent): the push that carries it links to it.</summary>
    public string? TraceParent { get; set; }
}
