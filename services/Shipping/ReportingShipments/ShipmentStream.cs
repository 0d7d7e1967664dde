using System.Text.Json;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Shipping.ReportingShipments;

/// <summary>A Shopify fulfilment became this shipment, to be reported to the marketplace: its packages as planned, the
/// carrier as the marketplace names it, and the fulfilment version it was made from.</summary>
[StoredEvent("shipment-dispatched.v1")]
public sealed record ShipmentWasDispatched(Guid ShipmentId, Guid OrderId, string FulfillmentId, string? Carrier, IReadOnlyList<string> TrackingNumbers,
    IReadOnlyList<ShipmentPackage> Packages, long FulfillmentVersion, DateTimeOffset ShippedAt);

/// <summary>A fulfilment the marketplace cannot take (an unsupported carrier, a number too long, nothing left to ship):
/// refused here with the marketplace's kind of error, before any call.</summary>
[StoredEvent("shipment-refused.v1")]
public sealed record ShipmentWasRefused(Guid ShipmentId, Guid OrderId, string FulfillmentId, string? Carrier, IReadOnlyList<string> TrackingNumbers,
    IReadOnlyList<ShipmentPackage> Packages, long FulfillmentVersion, DateTimeOffset ShippedAt, string Code, string Message);

[StoredEvent("shipment-confirmed.v1")]
public sealed record ShipmentWasConfirmed;

/// <summary>The marketplace refused the shipment: its code and message.</summary>
[StoredEvent("shipment-rejected.v1")]
public sealed record ShipmentWasRejected(string Code, string Message);

/// <summary>A shipment the marketplace refused, planned again once its cause was fixed (a carrier override added, a number
/// corrected in Shopify) and sent again: its <c>Attempt</c> (2 for the first resend).</summary>
[StoredEvent("shipment-redispatched.v1")]
public sealed record ShipmentWasRedispatched(string? Carrier, IReadOnlyList<string> TrackingNumbers, IReadOnlyList<ShipmentPackage> Packages, long FulfillmentVersion,
    DateTimeOffset ShippedAt, int Attempt);

/// <summary>The fulfilment's tracking (numbers, carrier) was changed in Shopify after the shipment was reported: planned again
/// and sent again, naming the numbers it replaces.</summary>
[StoredEvent("shipment-tracking-corrected.v1")]
public sealed record ShipmentTrackingWasCorrected(string? Carrier, IReadOnlyList<string> TrackingNumbers, IReadOnlyList<ShipmentPackage> Packages, long FulfillmentVersion,
    DateTimeOffset ShippedAt, int Attempt, IReadOnlyList<string> Replaced);

[StoredEvent("shipment-delivered.v1")]
public sealed record ShipmentWasDelivered(DateTimeOffset DeliveredAt, long FulfillmentVersion);

/// <summary>A later version of the fulfilment with nothing new for the marketplace: remembered, so an older one is told apart.</summary>
[StoredEvent("shipment-report-seen.v1")]
public sealed record FulfillmentVersionSeen(long FulfillmentVersion);

/// <summary>A shipment recorded before shipments were event streams: the row as it stood when the database was upgraded.</summary>
[StoredEvent("shipment-recorded-before-streams.v1")]
public sealed record ShipmentWasRecorded(Guid ShipmentId, Guid OrderId, string FulfillmentId, string? Carrier, IReadOnlyList<string> TrackingNumbers,
    IReadOnlyList<ShipmentPackage> Packages, int Units, ShipmentStatus Status, string? ErrorCode, string? ErrorMessage, long FulfillmentVersion,
    DateTimeOffset ShippedAt, DateTimeOffset? DeliveredAt);

/// <summary>A shipment as its stream makes it.</summary>
public sealed record ShipmentState(string Id)
{
    public Guid ShipmentId { get; init; }

    public Guid OrderId { get; init; }

    public ShipmentStatus? Status { get; init; }

    public long FulfillmentVersion { get; init; }

    public string? ErrorCode { get; init; }

    /// <summary>How many times it was sent to the marketplace (1, then one more per resend).</summary>
    public int Attempt { get; init; } = 1;
}

/// <summary>What happens to a shipment.</summary>
public abstract record ShipmentCommand;

/// <summary>A fulfilment seen for the first time, planned (<paramref name="Planned"/>: dispatched or refused); delivered already if Shopify says so.</summary>
public sealed record PlanShipment(object Planned, DateTimeOffset? DeliveredAt) : ShipmentCommand;

/// <summary>The same fulfilment reported again, at <paramref name="Version"/>.</summary>
public sealed record ReportFulfillmentAgain(long Version, DateTimeOffset? DeliveredAt) : ShipmentCommand;

public sealed record ConfirmShipment : ShipmentCommand;

public sealed record RejectShipment(string Code, string Message) : ShipmentCommand;

/// <summary>A reported shipment whose tracking Shopify changed, planned again (<paramref name="Planned"/>) to replace <paramref name="Replaced"/>.</summary>
public sealed record CorrectTracking(object Planned, IReadOnlyList<string> Replaced) : ShipmentCommand;

/// <summary>A refused shipment planned again from its fulfilment's latest report (<paramref name="Planned"/>: dispatched, or refused still).</summary>
public sealed record ResendShipment(object Planned) : ShipmentCommand;

/// <summary>The shipment stream's pure functions.</summary>
public static class ShipmentStream
{
    public static string Id(Guid shipmentId) => $"shipment-{shipmentId}";

    public static ShipmentState Start(string id) => new(id);

    public static ShipmentState Apply(ShipmentState state, object e) => e switch
    {
        ShipmentWasDispatched d => state with { ShipmentId = d.ShipmentId, OrderId = d.OrderId, Status = ShipmentStatus.Dispatched, FulfillmentVersion = d.FulfillmentVersion },
        ShipmentWasRefused r => state with
        {
            ShipmentId = r.ShipmentId, OrderId = r.OrderId, Status = ShipmentStatus.Rejected, FulfillmentVersion = r.FulfillmentVersion, ErrorCode = r.Code,
        },
        ShipmentWasRecorded r => state with
        {
            ShipmentId = r.ShipmentId, OrderId = r.OrderId, Status = r.Status, FulfillmentVersion = r.FulfillmentVersion, ErrorCode = r.ErrorCode,
        },
        ShipmentWasConfirmed => state with { Status = ShipmentStatus.Confirmed },
        ShipmentWasRedispatched r => state with
        {
            Status = ShipmentStatus.Dispatched, ErrorCode = null, Attempt = r.Attempt, FulfillmentVersion = Math.Max(state.FulfillmentVersion, r.FulfillmentVersion),
        },
        ShipmentWasRejected r => state with { Status = ShipmentStatus.Rejected, ErrorCode = r.Code },
        ShipmentTrackingWasCorrected c => state with
        {
            Status = ShipmentStatus.Dispatched, Attempt = c.Attempt, FulfillmentVersion = Math.Max(state.FulfillmentVersion, c.FulfillmentVersion),
        },
        ShipmentWasDelivered d => state with { Status = ShipmentStatus.Delivered, FulfillmentVersion = Math.Max(state.FulfillmentVersion, d.FulfillmentVersion) },
        FulfillmentVersionSeen v => state with { FulfillmentVersion = Math.Max(state.FulfillmentVersion, v.FulfillmentVersion) },
        _ => state,
    };

    /// <summary>The events a command means for the shipment; none when there is nothing new.</summary>
    public static IReadOnlyList<object> Decide(ShipmentCommand command, ShipmentState state)
    {
        switch (command)
        {
            case PlanShipment plan when state.Status is null:
                return plan.Planned is ShipmentWasDispatched dispatched && plan.DeliveredAt is { } delivered
                    ? [dispatched, new ShipmentWasDelivered(delivered, dispatched.FulfillmentVersion)]
                    : [plan.Planned];

            case ReportFulfillmentAgain again when again.Version > state.FulfillmentVersion:
                // A delivery counts once and never for a shipment the marketplace refused.
                return again.DeliveredAt is { } at && state.Status is ShipmentStatus.Dispatched or ShipmentStatus.Confirmed
                    ? [new ShipmentWasDelivered(at, again.Version)]
                    : [new FulfillmentVersionSeen(again.Version)];

            // Only a refused shipment is sent again, and only when its new plan goes through.
            case ResendShipment { Planned: ShipmentWasDispatched d } when state.Status == ShipmentStatus.Rejected:
                return [new ShipmentWasRedispatched(d.Carrier, d.TrackingNumbers, d.Packages, d.FulfillmentVersion, d.ShippedAt, state.Attempt + 1)];

            case CorrectTracking { Planned: ShipmentWasDispatched d } correct
                when state.Status is ShipmentStatus.Dispatched or ShipmentStatus.Confirmed && d.FulfillmentVersion > state.FulfillmentVersion:
                return [new ShipmentTrackingWasCorrected(d.Carrier, d.TrackingNumbers, d.Packages, d.FulfillmentVersion, d.ShippedAt, state.Attempt + 1, correct.Replaced)];

            case ConfirmShipment when state.Status == ShipmentStatus.Dispatched:
                return [new ShipmentWasConfirmed()];

            case RejectShipment reject when state.Status is ShipmentStatus.Dispatched or ShipmentStatus.Confirmed
                                           || (state.Status == ShipmentStatus.Rejected && state.ErrorCode != reject.Code):
                return [new ShipmentWasRejected(reject.Code, reject.Message)];

            default:
                return [];
        }
    }
}

/// <summary>The <c>shipments</c> table (shipments per order) as a projection of the shipment streams, and the integration
/// events each event means.</summary>
public static class ShipmentProjection
{
    public static Shipment? Create(object e, DateTimeOffset at) => e switch
    {
        ShipmentWasDispatched d => Row(d.ShipmentId, d.OrderId, d.FulfillmentId, d.Carrier, d.TrackingNumbers, d.Packages, ShipmentStatus.Dispatched, null, null,
            d.FulfillmentVersion, d.ShippedAt, null, at),
        ShipmentWasRefused r => Row(r.ShipmentId, r.OrderId, r.FulfillmentId, r.Carrier, r.TrackingNumbers, r.Packages, ShipmentStatus.Rejected, r.Code, r.Message,
            r.FulfillmentVersion, r.ShippedAt, null, at),
        ShipmentWasRecorded r => Row(r.ShipmentId, r.OrderId, r.FulfillmentId, r.Carrier, r.TrackingNumbers, r.Packages, r.Status, r.ErrorCode, r.ErrorMessage,
            r.FulfillmentVersion, r.ShippedAt, r.DeliveredAt, at),
        _ => null,
    };

    public static void Apply(Shipment row, object e, DateTimeOffset at)
    {
        switch (e)
        {
            case ShipmentWasConfirmed:
                row.Status = ShipmentStatus.Confirmed;
                break;
            case ShipmentTrackingWasCorrected c:
                SentAgain(row, c.Carrier, c.TrackingNumbers, c.Packages, c.FulfillmentVersion);
                break;
            case ShipmentWasRedispatched r:
                SentAgain(row, r.Carrier, r.TrackingNumbers, r.Packages, r.FulfillmentVersion);
                (row.ErrorCode, row.ErrorMessage) = (null, null);
                break;
            case ShipmentWasRejected r:
                (row.Status, row.ErrorCode, row.ErrorMessage) = (ShipmentStatus.Rejected, r.Code, r.Message);
                break;
            case ShipmentWasDelivered d:
                (row.Status, row.DeliveredAt, row.Version) = (ShipmentStatus.Delivered, d.DeliveredAt, Math.Max(row.Version, d.FulfillmentVersion));
                break;
            case FulfillmentVersionSeen v:
                row.Version = Math.Max(row.Version, v.FulfillmentVersion);
                break;
            default:
                return;
        }

        row.UpdatedAt = at;
    }

    /// <summary>A shipment planned again and sent again: dispatched, with what the new plan carries.</summary>
    private static void SentAgain(Shipment row, string? carrier, IReadOnlyList<string> numbers, IReadOnlyList<ShipmentPackage> packages, long version)
    {
        (row.Status, row.Carrier, row.Units) = (ShipmentStatus.Dispatched, carrier, ShipmentUnits.Of(packages));
        (row.TrackingNumbers, row.Packages) = (JsonSerializer.Serialize(numbers), JsonSerializer.Serialize(packages, PlatformJson.Options));
        row.Version = Math.Max(row.Version, version);
    }

    public static IEnumerable<object> Messages(ShippingOrder order, Shipment row, object e, DateTimeOffset at)
    {
        switch (e)
        {
            case ShipmentWasDispatched d:
                yield return new ShipmentDispatched(order.TenantId, order.ConnectionId, row.ShipmentId, order.OrderId, Enum.Parse<Channel>(order.Channel), order.ChannelOrderId,
                    d.Packages, d.ShippedAt, at);
                break;
            case ShipmentWasRedispatched r:
                yield return new ShipmentDispatched(order.TenantId, order.ConnectionId, row.ShipmentId, order.OrderId, Enum.Parse<Channel>(order.Channel), order.ChannelOrderId,
                    r.Packages, r.ShippedAt, at, r.Attempt);
                break;
            case ShipmentTrackingWasCorrected c:
                yield return new ShipmentDispatched(order.TenantId, order.ConnectionId, row.ShipmentId, order.OrderId, Enum.Parse<Channel>(order.Channel), order.ChannelOrderId,
                    c.Packages, c.ShippedAt, at, c.Attempt, c.Replaced);
                break;
            case ShipmentWasRefused r:
                yield return new ShipmentRejectedByChannel(order.TenantId, order.ConnectionId, row.ShipmentId, order.OrderId, order.ChannelOrderId, new ChannelError(r.Code, r.Message), at);
                break;
            case ShipmentWasDelivered d:
                yield return new ShipmentDelivered(order.TenantId, order.ConnectionId, row.ShipmentId, order.OrderId, d.DeliveredAt, at);
                break;
        }
    }

    private static Shipment Row(Guid id, Guid orderId, string fulfillmentId, string? carrier, IReadOnlyList<string> numbers, IReadOnlyList<ShipmentPackage> packages,
        ShipmentStatus status, string? code, string? message, long version, DateTimeOffset shippedAt, DateTimeOffset? deliveredAt, DateTimeOffset at) => new()
    {
        ShipmentId = id, OrderId = orderId, FulfillmentId = fulfillmentId, Carrier = carrier, TrackingNumbers = JsonSerializer.Serialize(numbers),
        Packages = JsonSerializer.Serialize(packages, PlatformJson.Options), Units = ShipmentUnits.Of(packages), Status = status, ErrorCode = code,
        ErrorMessage = message, Version = version, ShippedAt = shippedAt, DeliveredAt = deliveredAt, UpdatedAt = at,
    };
}
