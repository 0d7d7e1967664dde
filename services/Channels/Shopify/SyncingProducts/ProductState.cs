namespace Rakuten.Platform.Channels.Shopify.SyncingProducts;

/// <summary>A webhook delivery as received: stored before the 200, processed after.</summary>
public sealed class WebhookDelivery
{
    public required string EventId { get; init; }

    public required Guid ConnectionId { get; init; }

    public required string Topic { get; init; }

    public DateTimeOffset? TriggeredAt { get; init; }

    public required string Body { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public DateTimeOffset? ProcessedAt { get; set; }

    public string? Error { get; set; }

    /// <summary>The trace of the request that delivered it (W3C traceparent): applying it continues that trace.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>(connection, kind, external id) → internal id: Shopify's ids never leave this service.</summary>
public sealed class ExternalId
{
    public required Guid ConnectionId { get; init; }

    public required string Kind { get; init; }

    public required string Value { get; init; }

    public required Guid InternalId { get; init; }
}

/// <summary>The newest state of a product this service has handed on.</summary>
public sealed class ProductVersion
{
    public required Guid ConnectionId { get; init; }

    public required string ExternalProductId { get; init; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public bool Deleted { get; set; }
}
