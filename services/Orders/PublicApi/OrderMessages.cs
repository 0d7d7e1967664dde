using System.Text.Json;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using Rakuten.Platform.Api.V1;
using Rakuten.Platform.BuildingBlocks.Grpc;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.ImportingOrders;
using Rakuten.Platform.Orders.TrackingStatus;
using Channel = Rakuten.Platform.Api.V1.Channel;
using HoldReason = Rakuten.Platform.Contracts.Orders.HoldReason;
using Order = Rakuten.Platform.Api.V1.Order;
using OrderLine = Rakuten.Platform.Api.V1.OrderLine;
using OrderStatus = Rakuten.Platform.Api.V1.OrderStatus;

namespace Rakuten.Platform.Orders.PublicApi;

/// <summary>Orders and holds as the public API (rakuten.platform.v1) shows them.</summary>
public static class OrderMessages
{
    /// <summary>The change-feed topic of order changes (WatchOrders).</summary>
    public const string Topic = "orders";

    public static string Name(Guid orderId) => $"orders/{orderId}";

    /// <summary>The order from its read model alone: what the change feed carries for every change.</summary>
    public static Order Order(OrderRecord record)
    {
        var order = new Order
        {
            Name = Name(record.OrderId),
            Channel = ChannelOf(record.Channel),
            Connection = $"connections/{record.ConnectionId}",
            ChannelOrderId = record.ChannelOrderId,
            ChannelStatus = record.ChannelStatus,
            Status = Enum.Parse<OrderStatus>(record.Status.ToString()),
            ReceiveTime = Timestamp.FromDateTimeOffset(record.ReceivedAt),
            UpdateTime = Timestamp.FromDateTimeOffset(record.UpdatedAt),
        };
        if (record.Status == UnifiedOrderStatus.Held && record.HoldReason is { } reason)
        {
            order.Hold = Hold(record, reason);
        }

        if (record.ShopifyOrderId is not null)
        {
            order.ShopifyOrder = new ShopifyOrder { Id = record.ShopifyOrderId, DisplayName = record.ShopifyOrderName ?? "" };
        }

        if (record.Order is not null && JsonSerializer.Deserialize<ChannelOrder>(record.Order, PlatformJson.Options) is { } sold)
        {
            order.Lines.AddRange(sold.Lines.Select(l => new OrderLine
            {
                ChannelLineId = l.ChannelLineId, Sku = l.Sku ?? l.MerchantSku ?? "", Title = l.Title, Quantity = l.Quantity, UnitPrice = GrpcCalls.Money(l.UnitPrice),
            }));
            order.Total = GrpcCalls.Money(sold.Total);
            order.OrderedAt = Timestamp.FromDateTimeOffset(sold.OrderedAt);
        }

        return order;
    }

    /// <summary>The order with its shipments and cancellation (GetOrder, CancelOrder).</summary>
    public static Order Order(OrderRecord record, IEnumerable<OrderShipment> shipments, OrderCancellation? cancellation)
    {
        var order = Order(record);
        order.Shipments.AddRange(shipments.Select(s => new Shipment
        {
            ShipmentId = s.ShipmentId.ToString(), Status = s.Status, Units = s.Units, Error = s.Error ?? "", UpdateTime = Timestamp.FromDateTimeOffset(s.UpdatedAt),
        }));
        if (cancellation is not null)
        {
            order.Cancellation = new Cancellation
            {
                Initiator = cancellation.Initiator.ToString(), Reason = cancellation.Reason, Comment = cancellation.Comment ?? "",
                RequestTime = Timestamp.FromDateTimeOffset(cancellation.RequestedAt), Refusal = cancellation.Refusal ?? "",
            };
        }

        return order;
    }

    public static Api.V1.Hold Hold(OrderRecord record, HoldReason reason)
    {
        var hold = new Api.V1.Hold
        {
            Name = $"{Name(record.OrderId)}/hold",
            Order = Name(record.OrderId),
            Channel = ChannelOf(record.Channel),
            ChannelOrderId = record.ChannelOrderId,
            Reason = Enum.Parse<Api.V1.HoldReason>(reason.ToString()),
            Detail = record.HoldDetail ?? "",
            Resolution = record.HoldAction ?? "",
            AllowedActions = { HoldAction.Retry },
            UpdateTime = Timestamp.FromDateTimeOffset(record.UpdatedAt),
        };
        if (HoldRules.CanRelease(reason)) hold.AllowedActions.Add(HoldAction.Release);
        if (HoldRules.CanDismiss(reason) && record.HoldDismissedAt is null) hold.AllowedActions.Add(HoldAction.Dismiss);
        if (record.HoldDismissedAt is { } dismissed) hold.DismissTime = Timestamp.FromDateTimeOffset(dismissed);
        return hold;
    }

    public static Channel ChannelOf(string channel) => Enum.Parse<Channel>(channel);

    private static string Units(IReadOnlyList<SkuQuantity> units) => units.Count == 0 ? "nothing" : string.Join(", ", units.Select(u => $"{u.Quantity} × {u.Sku}"));

    /// <summary>What an event of the order's stream says, in words, for the timeline.</summary>
    public static string Summary(object e) => e switch
    {
        OrderReceived r => $"received from {r.Channel} as {r.ChannelOrderId} ({r.ChannelStatus})",
        OrderWasHeld h => $"held: {h.Detail}",
        OrderWasAccepted a => $"accepted for Shopify{(a.LeftHold is null ? "" : $" after the {a.LeftHold} hold")}{(a.Units is { Count: > 0 } units ? $": {units.Sum(u => u.Quantity)} unit(s) reserved" : "")}",
        OrderChannelStatusWasReported r => $"marketplace status {r.ChannelStatus}",
        OrderWasExported x => $"created in Shopify as {x.ShopifyOrderName}",
        OrderContentChanged => "changed on the marketplace",
        OrderLinesWereChanged l => $"lines changed on the marketplace: {Units(l.Before)} → {Units(l.After)}",
        OrderShopifyEditWasReported r => $"Shopify order {(r.Applied ? "edited" : "not edited")} to {Units(r.Lines)}: {r.Outcome}",
        OrderStatusWasChanged s => $"now {s.To}{(s.ChannelStatus is null ? "" : $" (marketplace: {s.ChannelStatus})")}",
        OrderCancellationWasRequested c => $"cancellation requested ({c.Reason})",
        OrderCancellationWasRefused r => $"the marketplace refused the cancellation: {r.Code} {r.Message}",
        OrderWasCancelled c => $"cancelled by the {(c.Initiator == CancellationInitiator.Merchant ? "merchant" : "marketplace")}",
        OrderShipmentChanged s => $"shipment {s.ShipmentId}: {s.Status}, {s.Units} unit(s){(s.Error is null ? "" : $" — {s.Error}")}",
        OrderHoldWasReleased r => $"hold released ({r.Reason}): goes on without it",
        OrderHoldWasDismissed d => $"hold dismissed ({d.Reason}){(d.Note is null ? "" : $": {d.Note}")}",
        _ => e.GetType().Name,
    };
}
