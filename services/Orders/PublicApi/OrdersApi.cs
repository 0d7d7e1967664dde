using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Api.V1;
using Rakuten.Platform.BuildingBlocks.Changes;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Grpc;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.CancellingOrders;
using Rakuten.Platform.Orders.ImportingOrders;
using Channel = Rakuten.Platform.Api.V1.Channel;

namespace Rakuten.Platform.Orders.PublicApi;

/// <summary>rakuten.platform.v1.Orders: the tenant's orders for internal systems. The call's cancellation token (its
/// deadline) goes into every query.</summary>
[Authorize(Policy = PlatformPolicies.Viewer)]
public sealed class OrdersApi(OrdersDbContext db, EventStore<OrdersDbContext> store, ChangeFeed<OrdersDbContext> feed, TimeProvider clock) : Api.V1.Orders.OrdersBase
{
    public override async Task<Order> GetOrder(GetOrderRequest request, ServerCallContext context)
    {
        var orderId = GrpcCalls.Id(request.Name, "orders", "name");
        var caller = await context.ReaderAsync(db);
        return await DetailAsync(db, caller.Tenant, orderId, context.CancellationToken);
    }

    public override async Task<ListOrdersResponse> ListOrders(ListOrdersRequest request, ServerCallContext context)
    {
        var size = GrpcCalls.PageSize(request.PageSize, 50, 500);
        var connection = GrpcCalls.OptionalId(request.Connection, "connections", "connection");
        GrpcCalls.Known(request.Channel, "channel", "a channel");
        GrpcCalls.Known(request.Status, "status", "an order status");
        if (request.OrderedAfter is not null && request.OrderedBefore is not null && request.OrderedAfter.ToDateTimeOffset() >= request.OrderedBefore.ToDateTimeOffset())
            throw GrpcProblem.Invalid(("ordered_before", "must be later than ordered_after"));
        var caller = await context.ReaderAsync(db);
        var filters = $"{caller.Tenant}|{request.Channel}|{connection}|{request.Status}|{request.OrderedAfter}|{request.OrderedBefore}";
        var page = PageToken.Read(request.PageToken, filters, clock.GetUtcNow());

        var query = db.Orders.AsNoTracking().Where(o => o.TenantId == caller.Tenant && o.ReceivedAt <= page.AsOf);
        if (request.Channel != Channel.Unspecified) query = query.Where(o => o.Channel == request.Channel.ToString());
        if (connection is { } c) query = query.Where(o => o.ConnectionId == c);
        if (request.Status != OrderStatus.Unspecified)
        {
            var status = Enum.Parse<UnifiedOrderStatus>(request.Status.ToString());
            query = query.Where(o => o.Status == status);
        }

        var ordered = query.OrderByDescending(o => o.ReceivedAt).ThenByDescending(o => o.OrderId);
        List<Order> slice;
        if (request.OrderedAfter is null && request.OrderedBefore is null)
        {
            slice = (await ordered.Skip(page.Offset).Take(size + 1).ToListAsync(context.CancellationToken)).Select(OrderMessages.Order).ToList();
        }
        else
        {
            // The placed-at range is on the marketplace's order (inside its JSON): filtered here, over the tenant's other filters.
            var after = request.OrderedAfter?.ToDateTimeOffset();
            var before = request.OrderedBefore?.ToDateTimeOffset();
            slice = (await ordered.ToListAsync(context.CancellationToken)).Select(OrderMessages.Order)
                .Where(o => o.OrderedAt is not null && (after is null || o.OrderedAt.ToDateTimeOffset() >= after) && (before is null || o.OrderedAt.ToDateTimeOffset() < before))
                .Skip(page.Offset).Take(size + 1).ToList();
        }

        var response = new ListOrdersResponse { Orders = { slice.Take(size) } };
        if (slice.Count > size) response.NextPageToken = PageToken.Next(filters, page.Offset + size, page.AsOf);
        return response;
    }

    public override async Task<GetOrderTimelineResponse> GetOrderTimeline(GetOrderTimelineRequest request, ServerCallContext context)
    {
        var orderId = GrpcCalls.Id(request.Name, "orders", "name");
        var caller = await context.ReaderAsync(db);
        var ct = context.CancellationToken;
        if (!await db.Orders.AsNoTracking().AnyAsync(o => o.OrderId == orderId && o.TenantId == caller.Tenant, ct))
            throw GrpcProblem.NotFound("order with this id");

        // The stream says what happened; the audit log says who asked for what the merchant did (a cancel, a retry).
        var events = (await store.LoadAsync(OrderImport.Stream(orderId), ct: ct)).Select(e => new OrderEvent
        {
            Version = e.Version, Type = e.Data.GetType().Name, RecordTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(e.RecordedAt),
            Actor = e.Metadata.Actor ?? "platform", Summary = OrderMessages.Summary(e.Data),
        }).ToList();
        var target = $"order/{orderId}";
        var actions = await db.AuditLog.AsNoTracking().Where(a => a.TenantId == caller.Tenant && a.Target == target).OrderBy(a => a.Position).ToListAsync(ct);
        foreach (var action in actions)
        {
            events.Add(new OrderEvent
            {
                Type = action.Action, RecordTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(action.At), Actor = action.Actor,
                Summary = $"{action.Outcome}{(action.Detail is null ? "" : ": " + action.Detail)}",
            });
        }

        return new GetOrderTimelineResponse { Events = { events.OrderBy(e => e.RecordTime.ToDateTimeOffset()).ThenBy(e => e.Version == 0 ? 1 : 0) } };
    }

    [Authorize(Policy = PlatformPolicies.Operator)]
    public override async Task<Order> CancelOrder(Api.V1.CancelOrderRequest request, ServerCallContext context)
    {
        var orderId = GrpcCalls.Id(request.Name, "orders", "name");
        var caller = context.Actor();
        await CancellationEndpoints.RequestAsync(db, store, caller, orderId, request.Reason, request.Comment.Length == 0 ? null : request.Comment,
            clock.GetUtcNow(), context.CancellationToken);
        return await DetailAsync(db, caller.Tenant, orderId, context.CancellationToken);
    }

    public override async Task WatchOrders(WatchOrdersRequest request, IServerStreamWriter<WatchOrdersResponse> responseStream, ServerCallContext context)
    {
        GrpcCalls.Known(request.Channel, "channel", "a channel");
        var caller = await context.ReaderAsync(db);
        var prefix = request.Channel == Channel.Unspecified ? "" : request.Channel + "/";
        await ChangeWatch.RunAsync(feed, caller.Tenant, OrderMessages.Topic, request.ResumeToken, row => row.Subject.StartsWith(prefix, StringComparison.Ordinal),
            (row, token) => new WatchOrdersResponse
            {
                ResumeToken = token,
                Order = row is null ? null : Order.Parser.ParseFrom(row.Data),
                CommitTime = row is null ? null : Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(row.RecordedAt),
            },
            responseStream, "read the orders again with ListOrders", context.CancellationToken);
    }

    /// <summary>The tenant's order with its shipments and cancellation; NOT_FOUND otherwise.</summary>
    internal static async Task<Order> DetailAsync(OrdersDbContext db, Guid tenant, Guid orderId, CancellationToken ct)
    {
        var record = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.OrderId == orderId && o.TenantId == tenant, ct)
                     ?? throw GrpcProblem.NotFound("order with this id");
        var shipments = await db.Shipments.AsNoTracking().Where(s => s.OrderId == orderId).OrderBy(s => s.UpdatedAt).ToListAsync(ct);
        var cancellation = await db.Cancellations.AsNoTracking().FirstOrDefaultAsync(c => c.OrderId == orderId, ct);
        return OrderMessages.Order(record, shipments, cancellation);
    }
}

/// <summary>rakuten.platform.v1.Holds: held orders and the merchant's actions on them.</summary>
[Authorize(Policy = PlatformPolicies.Viewer)]
public sealed class HoldsApi(OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock) : Holds.HoldsBase
{
    public override async Task<ListHoldsResponse> ListHolds(ListHoldsRequest request, ServerCallContext context)
    {
        var size = GrpcCalls.PageSize(request.PageSize, 50, 500);
        GrpcCalls.Known(request.Reason, "reason", "a hold reason");
        var caller = await context.ReaderAsync(db);
        var filters = $"{caller.Tenant}|{request.Reason}|{request.ShowDismissed}";
        var page = PageToken.Read(request.PageToken, filters, clock.GetUtcNow());
        var query = db.Orders.AsNoTracking().Where(o => o.TenantId == caller.Tenant && o.Status == UnifiedOrderStatus.Held && o.ReceivedAt <= page.AsOf);
        if (!request.ShowDismissed) query = query.Where(o => o.HoldDismissedAt == null);
        if (request.Reason != Api.V1.HoldReason.Unspecified)
        {
            var reason = Enum.Parse<Contracts.Orders.HoldReason>(request.Reason.ToString());
            query = query.Where(o => o.HoldReason == reason);
        }

        var rows = await query.OrderBy(o => o.ReceivedAt).ThenBy(o => o.OrderId).Skip(page.Offset).Take(size + 1).ToListAsync(context.CancellationToken);
        var response = new ListHoldsResponse { Holds = { rows.Take(size).Select(o => OrderMessages.Hold(o, o.HoldReason!.Value)) } };
        if (rows.Count > size) response.NextPageToken = PageToken.Next(filters, page.Offset + size, page.AsOf);
        return response;
    }

    [Authorize(Policy = PlatformPolicies.Operator)]
    public override Task<Order> RetryHold(RetryHoldRequest request, ServerCallContext context) =>
        ActAsync(request.Name, context, (caller, id, now, ct) => HoldActions.RetryAsync(db, store, caller, id, now, ct));

    [Authorize(Policy = PlatformPolicies.Operator)]
    public override Task<Order> ReleaseHold(ReleaseHoldRequest request, ServerCallContext context) =>
        ActAsync(request.Name, context, (caller, id, now, ct) => HoldActions.ReleaseAsync(db, store, caller, id, now, ct));

    [Authorize(Policy = PlatformPolicies.Operator)]
    public override Task<Order> DismissHold(DismissHoldRequest request, ServerCallContext context)
    {
        if (Text.Problem(request.Note, 0, 500) is { } problem) throw GrpcProblem.Invalid(("note", problem));
        return ActAsync(request.Name, context, (caller, id, now, ct) => HoldActions.DismissAsync(db, store, caller, id, request.Note, now, ct));
    }

    private async Task<Order> ActAsync(string name, ServerCallContext context, Func<Caller, Guid, DateTimeOffset, CancellationToken, Task> act)
    {
        var orderId = GrpcCalls.Id(name, "orders", "name", suffix: "hold");
        var caller = context.Actor();
        await act(caller, orderId, clock.GetUtcNow(), context.CancellationToken);
        return await OrdersApi.DetailAsync(db, caller.Tenant, orderId, context.CancellationToken);
    }
}
