namespace Rakuten.Platform.Channels.RakutenJp.ImportingOrders;

/// <summary>How far the poller has searched a connection's orders (by order date).</summary>
public sealed class OrderPollCursor
{
    public required Guid ConnectionId { get; init; }

    public required DateTimeOffset PolledUntil { get; set; }
}

/// <summary>An RMS order already handed to the platform as ChannelOrderReceived.</summary>
public sealed class ImportedOrder
{
    public required Guid ConnectionId { get; init; }

    public required string OrderNumber { get; init; }

    public required int OrderProgress { get; set; }

    public required DateTimeOffset ImportedAt { get; init; }

}

/// <summary>An imported order that must be confirmed in RMS (100 → 300), and how RMS answered once it was.</summary>
public sealed class OrderConfirmation
{
    public required Guid ConnectionId { get; init; }

    public required string OrderNumber { get; init; }

    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>Not to be confirmed before the order reached Shopify (a held one stays 100 in RMS until released).</summary>
    public bool WaitsForExport { get; set; }

    /// <summary>RMS's message for this order (INFO_101, or why it could not be confirmed).</summary>
    public string? Outcome { get; set; }
}

/// <summary>The content of an imported order as last handed on, as a fingerprint: the sweep hands a changed order on again.</summary>
public sealed class OrderFingerprint
{
    public required Guid ConnectionId { get; init; }

    public required string OrderNumber { get; init; }

    public required string Fingerprint { get; set; }
}

/// <summary>When the daily catch-up (the last five days searched again) last ran for a connection.</summary>
public sealed class OrderCatchUp
{
    public required Guid ConnectionId { get; init; }

    public required DateTimeOffset CaughtUpAt { get; set; }
}
