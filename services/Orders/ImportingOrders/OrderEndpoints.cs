using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.ImportingOrders;

public sealed record DismissRequest(string? Note);

/// <summary>Orders and holds, as ops and the merchant see them; a held order can be retried, released (a missing ship-to)
/// or dismissed (handled on the marketplace) on request.</summary>
public static class OrderEndpoints
{
    public static void MapOrders(this RouteGroupBuilder orders)
    {
        orders.MapGet("", async (Caller caller, string? status, OrdersDbContext db, CancellationToken ct) =>
        {
            var query = db.Orders.AsNoTracking().Where(o => o.TenantId == caller.Tenant);
            if (status is not null)
            {
                if (!Enum.TryParse<UnifiedOrderStatus>(status, true, out var s) || !Enum.IsDefined(s))
                    return ApiErrors.Validation([$"status must be one of {string.Join(", ", Enum.GetNames<UnifiedOrderStatus>())}"]);
                query = query.Where(o => o.Status == s);
            }

            return Results.Ok((await query.OrderBy(o => o.ReceivedAt).ToListAsync(ct)).Select(View));
        }).Produces<IEnumerable<OrderView>>();

        orders.MapGet("/holds", async (Caller caller, OrdersDbContext db, CancellationToken ct) =>
            Results.Ok((await db.Orders.AsNoTracking().Where(o => o.TenantId == caller.Tenant && o.Status == UnifiedOrderStatus.Held && o.HoldDismissedAt == null)
                .OrderBy(o => o.ReceivedAt).ToListAsync(ct)).Select(o => new HoldView(
                    o.OrderId, o.Channel, o.ChannelOrderId, o.HoldReason.ToString()!, o.HoldDetail, o.HoldAction, o.UpdatedAt)))).Produces<IEnumerable<HoldView>>();

        orders.MapGet("/{orderId:guid}", async (Guid orderId, Caller caller, OrdersDbContext db, EventStore<OrdersDbContext> store, CancellationToken ct) =>
            await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.OrderId == orderId && o.TenantId == caller.Tenant, ct) is { } record
                ? Results.Ok(new OrderDetailView(
                    View(record),
                    await db.Cancellations.AsNoTracking().FirstOrDefaultAsync(c => c.OrderId == orderId, ct) is { } c
                        ? new CancellationView(c.Initiator.ToString(), c.Reason, c.Comment, c.RequestedAt, c.AnnouncedAt, c.Refusal)
                        : null,
                    (await db.Shipments.AsNoTracking().Where(s => s.OrderId == orderId).OrderBy(s => s.UpdatedAt).ToListAsync(ct))
                        .Select(s => new OrderShipmentView(s.ShipmentId, s.Status, s.Units, s.Error, s.UpdatedAt)).ToList(),
                    record.Order is null ? null : JsonSerializer.Deserialize<ChannelOrder>(record.Order, PlatformJson.Options),
                    (await store.LoadAsync(OrderImport.Stream(orderId), ct: ct)).Select(e => new OrderEventView(e.Version, e.Data.GetType().Name, e.RecordedAt,
                        e.Metadata.Actor ?? "platform", Rakuten.Platform.Orders.PublicApi.OrderMessages.Summary(e.Data))).ToList(),
                    await StatusRuleAsync(db, record, ct)))
                : throw PlatformProblem.NotFound("order with this id")).Produces<OrderDetailView>();

        orders.MapPost("/{orderId:guid}/retry", async (Guid orderId, Caller caller, OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, CancellationToken ct) =>
            Results.Ok(View(await HoldActions.RetryAsync(db, store, caller, orderId, clock.GetUtcNow(), ct)))).RequireAuthorization(PlatformPolicies.Operator).Produces<OrderView>();

        orders.MapPost("/{orderId:guid}/release", async (Guid orderId, Caller caller, OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, CancellationToken ct) =>
            Results.Ok(View(await HoldActions.ReleaseAsync(db, store, caller, orderId, clock.GetUtcNow(), ct)))).RequireAuthorization(PlatformPolicies.Operator).Produces<OrderView>();

        orders.MapPost("/{orderId:guid}/dismiss", async (Guid orderId, Caller caller, DismissRequest? request, OrdersDbContext db, EventStore<OrdersDbContext> store,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (request?.Note is { } note && Text.Problem(note, 0, 500) is { } problem) return ApiErrors.Validation([$"note {problem}"]);
            return Results.Ok(View(await HoldActions.DismissAsync(db, store, caller, orderId, request?.Note, clock.GetUtcNow(), ct)));
        }).RequireAuthorization(PlatformPolicies.Operator).Produces<OrderView>();
    }

    /// <summary>The rule of the connection's status mapping the order's channel status is under now.</summary>
    private static async Task<MappingStatuses.StatusRuleView?> StatusRuleAsync(OrdersDbContext db, OrderRecord record, CancellationToken ct)
    {
        var channel = Enum.Parse<Rakuten.Platform.Contracts.Channel>(record.Channel);
        var overrides = await MappingStatuses.StatusMappingEndpoints.OverridesAsync(db, record.ConnectionId, ct);
        return MappingStatuses.StatusMapping.Resolve(channel, record.ChannelStatus, overrides) is { } rule
            ? MappingStatuses.StatusMappingEndpoints.View(channel, rule, overrides.ContainsKey(record.ChannelStatus))
            : null;
    }

    private static OrderView View(OrderRecord o) => new(
        o.OrderId, o.Channel, o.ConnectionId, o.ChannelOrderId, o.ChannelStatus, o.Status.ToString(),
        o.HoldReason is null ? null : new OrderHold(o.HoldReason.ToString()!, o.HoldDetail, o.HoldAction),
        o.ShopifyOrderId, o.ShopifyOrderName, o.ReceivedAt, o.UpdatedAt);
}

/// <summary>An order as the API shows it: its channel's numbers, its unified status, its hold and its Shopify order.</summary>
public sealed record OrderView(Guid OrderId, string Channel, Guid ConnectionId, string ChannelOrderId, string ChannelStatus, string Status, OrderHold? Hold,
    string? ShopifyOrderId, string? ShopifyOrderName, DateTimeOffset ReceivedAt, DateTimeOffset UpdatedAt);

/// <summary>Why an order is held, and what to do about it.</summary>
public sealed record OrderHold(string Reason, string? Detail, string? Action);

public sealed record HoldView(Guid OrderId, string Channel, string ChannelOrderId, string Reason, string? Detail, string? Action, DateTimeOffset UpdatedAt);

/// <summary>One order in full: the marketplace's order as imported, its cancellation, its shipments, its history, and the
/// status mapping rule its channel status is under.</summary>
public sealed record OrderDetailView(OrderView Order, CancellationView? Cancellation, IReadOnlyList<OrderShipmentView> Shipments, ChannelOrder? Detail,
    IReadOnlyList<OrderEventView> History, MappingStatuses.StatusRuleView? StatusMapping);

public sealed record CancellationView(string Initiator, string Reason, string? Comment, DateTimeOffset RequestedAt, DateTimeOffset? AnnouncedAt, string? Refusal);

public sealed record OrderShipmentView(Guid ShipmentId, string Status, int Units, string? Error, DateTimeOffset UpdatedAt);

/// <summary>One step of the order's timeline: what happened (its event and a sentence), when, and who or what caused it
/// (<c>user:…</c>, <c>api-key:…</c>, <c>consumer:…</c>; <c>platform</c> for steps recorded before events said so).</summary>
public sealed record OrderEventView(long Version, string Type, DateTimeOffset RecordedAt, string Actor, string Summary);
