using System.Text.Json;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.TrackingStatus;

namespace Rakuten.Platform.Orders.ImportingOrders;

/// <summary>An order as its stream makes it: what the decisions read. Rebuilt by <see cref="OrderStream.Apply"/> alone —
/// on PostgreSQL Marten keeps it as an inline snapshot, on SQLite the stream is folded.</summary>
public sealed record OrderState(string Id)
{
    public Guid OrderId { get; init; }

    public Guid TenantId { get; init; }

    public Guid ConnectionId { get; init; }

    public Channel Channel { get; init; }

    public string ChannelOrderId { get; init; } = "";

    public string ChannelStatus { get; init; } = "";

    public UnifiedOrderStatus Status { get; init; }

    public ChannelOrder? Order { get; init; }

    public string? ParseError { get; init; }

    public Hold? Hold { get; init; }

    public bool HoldDismissed { get; init; }

    public HoldReason? ReleasedHold { get; init; }

    public string? ShopifyOrderId { get; init; }

    public string? ShopifyOrderName { get; init; }

    /// <summary>Received at least: a stream without its OrderReceived is not an order.</summary>
    public bool Exists => OrderId != Guid.Empty;
}

/// <summary>The order stream's pure functions: its id, its state before the first event, and the fold of one event.</summary>
public static class OrderStream
{
    public static string Id(Guid orderId) => $"order-{orderId}";

    public static OrderState Start(string id) => new(id);

    public static OrderState Apply(OrderState state, object e) => e switch
    {
        OrderReceived r => state with
        {
            OrderId = r.OrderId, TenantId = r.TenantId, ConnectionId = r.ConnectionId, Channel = r.Channel, ChannelOrderId = r.ChannelOrderId,
            ChannelStatus = r.ChannelStatus, Status = UnifiedOrderStatus.Received, Order = r.Order, ParseError = r.ParseError,
        },
        // A new reason is a new hold, for the merchant to see again even if the last one was dismissed.
        OrderWasHeld h => state with
        {
            Status = UnifiedOrderStatus.Held, Hold = new Hold(h.Reason, h.Detail, h.Action), HoldDismissed = state.HoldDismissed && state.Hold?.Reason == h.Reason,
        },
        OrderWasAccepted => state with { Status = UnifiedOrderStatus.Accepted, Hold = null, HoldDismissed = false },
        OrderWasExported x => state with { ShopifyOrderId = x.ShopifyOrderId, ShopifyOrderName = x.ShopifyOrderName },
        OrderContentChanged c => state with { Order = c.Order, ParseError = c.ParseError },
        OrderHoldWasReleased r => state with { ReleasedHold = r.Reason },
        OrderHoldWasDismissed => state with { HoldDismissed = true },
        OrderStatusWasChanged s => state with { Status = s.To, ChannelStatus = s.ChannelStatus ?? state.ChannelStatus },
        OrderChannelStatusWasReported r => state with { ChannelStatus = r.ChannelStatus },
        _ => state, // cancellation requests and refusals, shipments: their status moves are events of their own
    };

    public static OrderState Fold(string id, IEnumerable<object> events) => events.Aggregate(Start(id), Apply);
}

/// <summary>What can be asked of an order.</summary>
public abstract record OrderCommand;

/// <summary>A marketplace order seen for the first time; <paramref name="Reported"/> is its channel status as the connection's
/// status mapping reads it (the default map when not given).</summary>
public sealed record ReceiveOrder(OrderReceived Received, UnifiedOrderStatus? Reported = null) : OrderCommand;

/// <summary>The marketplace handed the order on again with this content.</summary>
public sealed record ChangeContent(ChannelOrder? Order, string? ParseError) : OrderCommand;

/// <summary>Decide again: a SKU appeared or became unique, or the merchant retried.</summary>
public sealed record Reevaluate : OrderCommand;

/// <summary>The merchant waves a missing ship-to through (only that hold: <see cref="HoldRules.CanRelease"/>).</summary>
public sealed record ReleaseHold : OrderCommand;

/// <summary>The merchant handles the hold on the marketplace (<see cref="HoldRules.CanDismiss"/>).</summary>
public sealed record DismissHold(string? Note) : OrderCommand;

/// <summary>The Shopify adapter could not create the Shopify order.</summary>
public sealed record RecordShopifyRefusal(string Detail, string Action) : OrderCommand;

/// <summary>Shopify has the order.</summary>
public sealed record RecordExport(string ShopifyOrderId, string ShopifyOrderName) : OrderCommand;

/// <summary>The order's decisions as one pure function: a command and the order's state give the events to append —
/// none when there is nothing new to say. The caller appends them, projects them and publishes what they mean.</summary>
public static class OrderDecisions
{
    private static readonly HoldReason[] ContentHolds = [HoldReason.AmountNotDetermined, HoldReason.MissingShipTo, HoldReason.MalformedPayload];

    /// <param name="claims">How many catalog products claim a SKU (0 = unknown, 2+ = duplicate).</param>
    public static IReadOnlyList<object> Decide(OrderCommand command, OrderState state, Func<string, int> claims)
    {
        switch (command)
        {
            case ReceiveOrder receive:
                // Already shipped, paid or cancelled on the marketplace when first seen: history, recorded as it stands.
                var reported = receive.Reported ?? OrderStatusMap.FromChannel(receive.Received.Channel, receive.Received.ChannelStatus);
                if (OrderStatusMap.IsHistory(reported))
                {
                    return [receive.Received, new OrderStatusWasChanged(UnifiedOrderStatus.Received, reported!.Value, receive.Received.ChannelStatus)];
                }

                return [receive.Received, .. Evaluate(OrderStream.Apply(state, receive.Received), claims)];

            case ChangeContent change:
                // An accepted order not shipped yet whose lines the marketplace changed (RMS 400, an item added or a quantity
                // changed) takes its new lines: the reservation and the Shopify order follow (OrderLinesChanged).
                if (state.Status == UnifiedOrderStatus.Accepted && change is { Order: { } newOrder, ParseError: null }
                    && Units(LegacyChannelOrders.Upgrade(state.Channel, state.Order)) is var before && Units(newOrder) is var after && !SameUnits(before, after))
                {
                    return [new OrderContentChanged(newOrder, null), new OrderLinesWereChanged(before, after)];
                }

                // Otherwise only a hold the content caused is decided again; an order on its way keeps what it was accepted with.
                if (state.Status != UnifiedOrderStatus.Held || state.Hold is null || !ContentHolds.Contains(state.Hold.Reason)
                    || (Json(change.Order) == Json(state.Order) && change.ParseError == state.ParseError))
                {
                    return [];
                }

                var changed = new OrderContentChanged(change.Order, change.ParseError);
                return [changed, .. Evaluate(OrderStream.Apply(state, changed), claims)];

            case Reevaluate:
                return state.Status is UnifiedOrderStatus.Held or UnifiedOrderStatus.Received ? Evaluate(state, claims) : [];

            case ReleaseHold when state.Hold is { } hold && HoldRules.CanRelease(hold.Reason):
                var released = new OrderHoldWasReleased(hold.Reason);
                return [released, .. Evaluate(OrderStream.Apply(state, released), claims)];

            case DismissHold dismiss when state.Hold is { } hold && HoldRules.CanDismiss(hold.Reason) && !state.HoldDismissed:
                return [new OrderHoldWasDismissed(hold.Reason, string.IsNullOrWhiteSpace(dismiss.Note) ? null : dismiss.Note.Trim())];

            case RecordShopifyRefusal refusal:
                var refused = new Hold(HoldReason.ShopifyRefused, refusal.Detail, refusal.Action);
                return state.Status == UnifiedOrderStatus.Held && state.Hold == refused ? [] : [new OrderWasHeld(refused.Reason, refused.Detail, refused.Action)];

            case RecordExport export when state.ShopifyOrderId is null:
                return [new OrderWasExported(export.ShopifyOrderId, export.ShopifyOrderName)];

            default:
                return [];
        }
    }

    /// <summary>Accepted, or held with the rules' reason; nothing when it is still held for the same reason.</summary>
    private static IReadOnlyList<object> Evaluate(OrderState state, Func<string, int> claims)
    {
        var order = LegacyChannelOrders.Upgrade(state.Channel, state.Order);
        var hold = OrderRules.Decide(state.Channel, order, state.ParseError, claims, state.ReleasedHold);
        if (hold is not null)
        {
            return state.Status == UnifiedOrderStatus.Held && state.Hold == hold ? [] : [new OrderWasHeld(hold.Reason, hold.Detail, hold.Action)];
        }

        return [new OrderWasAccepted(state.Status, Units(order), state.Status == UnifiedOrderStatus.Held ? state.Hold?.Reason : null)];
    }

    /// <summary>The units an acceptance reserves, per SKU.</summary>
    public static IReadOnlyList<SkuQuantity> Units(ChannelOrder? order) => OrderUnits.BySku(order);

    private static bool SameUnits(IReadOnlyList<SkuQuantity> a, IReadOnlyList<SkuQuantity> b) =>
        a.Count == b.Count && a.All(x => b.Any(y => y.Sku == x.Sku && y.Quantity == x.Quantity));

    private static string Json(ChannelOrder? order) => order is null ? "" : JsonSerializer.Serialize(order, PlatformJson.Options);
}
