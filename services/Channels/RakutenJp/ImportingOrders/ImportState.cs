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
