using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.TrackingStatus;

/// <summary>The channel statuses in the platform's words (DESIGN §11; the tables are in docs/orders.md — keep them in
/// step with this file). Pure: nothing here reads or writes anything.</summary>
public static class OrderStatusMap
{
    /// <summary>Rakuten France's per-order summary the Rakuten France adapter reports (its items are per unit).</summary>
    public static readonly IReadOnlyList<string> RakutenFrOrderStatuses = ["TO_CONFIRM", "ACCEPTED", "PARTIALLY_SHIPPED", "SHIPPED", "PARTIALLY_CANCELLED", "CANCELLED"];

    /// <summary>What a channel status says about the order, or null when the channel status is not one the platform knows.</summary>
    public static UnifiedOrderStatus? FromChannel(Channel channel, string channelStatus) => channel switch
    {
        Channel.RakutenJp => channelStatus switch
        {
            "100" => UnifiedOrderStatus.Received,
            "200" or "300" or "400" => UnifiedOrderStatus.Accepted,
            "500" => UnifiedOrderStatus.Shipped,
            "600" or "700" => UnifiedOrderStatus.Completed,
            "800" => UnifiedOrderStatus.CancellationRequested,
            "900" => UnifiedOrderStatus.Cancelled,
            _ => null,
        },
        Channel.RakutenFr => channelStatus switch
        {
            "TO_CONFIRM" => UnifiedOrderStatus.Received,
            // Some units cancelled, the rest still to ship: the order goes on with fewer lines.
            "ACCEPTED" or "PARTIALLY_CANCELLED" => UnifiedOrderStatus.Accepted,
            "PARTIALLY_SHIPPED" => UnifiedOrderStatus.PartiallyShipped,
            "SHIPPED" => UnifiedOrderStatus.Shipped,
            "CANCELLED" or "REFUSED" => UnifiedOrderStatus.Cancelled,
            _ => null,
        },
        _ => null,
    };

    /// <summary>Whether an order first seen in <paramref name="reported"/> (its channel status as the connection's status
    /// mapping reads it) is history: the marketplace had already shipped, paid or cancelled it (a backfill or a sync reading
    /// the past). Such an order is kept on the platform as it stands: it reserves no stock (it already left, or never will)
    /// and never goes to Shopify, which would count its stock a second time or ship it again. A partly shipped one is still
    /// to fulfil: it is imported.</summary>
    public static bool IsHistory(UnifiedOrderStatus? reported) =>
        reported is UnifiedOrderStatus.Shipped or UnifiedOrderStatus.Delivered or UnifiedOrderStatus.Completed
            or UnifiedOrderStatus.CancellationRequested or UnifiedOrderStatus.Cancelled;

    private static int Rank(UnifiedOrderStatus s) => s switch
    {
        UnifiedOrderStatus.Received or UnifiedOrderStatus.Held => 0,
        UnifiedOrderStatus.Accepted => 1,
        UnifiedOrderStatus.PartiallyShipped => 2,
        UnifiedOrderStatus.Shipped => 3,
        UnifiedOrderStatus.Delivered => 4,
        UnifiedOrderStatus.Completed => 5,
        _ => 6, // CancellationRequested, Cancelled
    };

    /// <summary>The order's next status once its channel (or its shipments) report <paramref name="reported"/>, or null when it stays as it is.
    /// Accepting is the platform's decision (stock, SKUs, holds), never the channel's: a channel's "accepted" changes
    /// nothing. The channel moves an order forward (shipped, payment completed) and cancels it; nothing moves backward,
    /// and Cancelled is final.</summary>
    public static UnifiedOrderStatus? Next(UnifiedOrderStatus current, UnifiedOrderStatus reported)
    {
        if (current == UnifiedOrderStatus.Cancelled || reported == current)
        {
            return null;
        }

        return reported switch
        {
            UnifiedOrderStatus.Cancelled => UnifiedOrderStatus.Cancelled,
            UnifiedOrderStatus.CancellationRequested when current != UnifiedOrderStatus.CancellationRequested => UnifiedOrderStatus.CancellationRequested,
            // Shipped or paid on the channel: only an order the platform accepted moves (a held one stays held, with its
            // reason). A requested cancellation the channel overtook (it shipped first) yields to the channel.
            UnifiedOrderStatus.PartiallyShipped or UnifiedOrderStatus.Shipped or UnifiedOrderStatus.Delivered or UnifiedOrderStatus.Completed
                when current is not (UnifiedOrderStatus.Received or UnifiedOrderStatus.Held)
                     && (current == UnifiedOrderStatus.CancellationRequested || Rank(reported) > Rank(current)) => reported,
            _ => null,
        };
    }

    /// <summary>Whether the merchant may still cancel the order through the platform (before it ships).</summary>
    public static bool Cancellable(UnifiedOrderStatus s) => s is UnifiedOrderStatus.Received or UnifiedOrderStatus.Held or UnifiedOrderStatus.Accepted;
}
