namespace Rakuten.Platform.Channels.Shopify.ExportingOrders;

public enum ExportState
{
    /// <summary>Recorded; no call made yet (or Shopify said no without creating anything).</summary>
    Pending,

    /// <summary>An orderCreate call went out and its answer was not recorded: look the order up by its tag first.</summary>
    Attempted,
    Created,
    Refused,

    /// <summary>The marketplace order was cancelled before a Shopify order existed: none is created.</summary>
    Cancelled,
}

/// <summary>The intent to create one Shopify order for one accepted marketplace order, recorded before any call.</summary>
public sealed class OrderExport
{
    public required Guid OrderId { get; init; }

    public required Guid TenantId { get; init; }

    public required Guid ConnectionId { get; init; }

    public required Guid SourceConnectionId { get; init; }

    public required string Channel { get; init; }

    public required string ChannelOrderId { get; init; }

    /// <summary>The OrderAccepted order, as JSON.</summary>
    public required string Order { get; init; }

    public ExportState State { get; set; }

    public string? ShopifyOrderId { get; set; }

    public string? ShopifyOrderName { get; set; }

    public string? Error { get; set; }

    public int Attempts { get; set; }

    public required DateTimeOffset NextAttemptAt { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The order's trace: the export and the order's fulfilments are spans of it.</summary>
    public string? TraceParent { get; set; }

    /// <summary>The tag that finds this order in Shopify again (after a crash in the middle of the call).</summary>
    public string Tag => $"rp-order-{OrderId:N}";
}
