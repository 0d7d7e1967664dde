using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.TrackingStatus;

namespace Rakuten.Platform.Orders.ImportingOrders;

/// <summary>Runs the order's decisions and records what they decided: the order's state comes from its stream
/// (<see cref="OrderStream"/>), <see cref="OrderDecisions.Decide"/> says which events follow, and
/// <see cref="RecordAsync"/> appends them, moves the read model by <see cref="OrderProjection"/> and puts what they mean
/// for other services in the outbox — all in the caller's transaction.</summary>
public static class OrderImport
{
    public static string Stream(Guid orderId) => OrderStream.Id(orderId);

    /// <summary>Decides <paramref name="command"/> on the order as its stream has it, and records the outcome.</summary>
    public static async Task<IReadOnlyList<object>> DecideAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, OrderRecord record, OrderCommand command,
        DateTimeOffset now, CancellationToken ct, object? cause = null)
    {
        using var span = Traces.Continue(record.TraceParent, "order decision");
        // What this unit of work staged (the order itself, received a moment ago in the same batch) is saved first — in
        // its transaction — so that the state read next is the order as it now stands.
        await db.SaveChangesAsync(ct);
        var (state, version) = await store.StateAsync<OrderState>(Stream(record.OrderId), ct);
        if (state is null || !state.Exists)
        {
            throw new InvalidOperationException($"Order {record.OrderId} has no stream: it cannot be decided on.");
        }

        var claims = await ClaimsAsync(db, [record.TenantId], Skus(state.Order), ct);
        var events = OrderDecisions.Decide(command, state, sku => claims.GetValueOrDefault((record.TenantId, sku)));
        await RecordAsync(db, store, record, events, now, ct, version, cause);
        return events;
    }

    /// <summary>Appends <paramref name="events"/> to the order's stream (after <paramref name="version"/>, or its current
    /// version when none is given), moves the read model with them and stages the integration events they mean.</summary>
    public static async Task RecordAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, OrderRecord record, IReadOnlyList<object> events, DateTimeOffset now,
        CancellationToken ct, long? version = null, object? cause = null)
    {
        if (events.Count == 0)
        {
            return;
        }

        var at = version ?? await store.CurrentVersionAsync(Stream(record.OrderId), ct);
        if (at == 0 && events[0] is not OrderReceived)
        {
            // An order's row without its stream: a stream must begin with its receipt. The message is retried rather than
            // opening a stream the order's history would never join.
            throw new InvalidOperationException($"Order {record.OrderId} has no event stream yet; the change is retried.");
        }

        Record(db, store, record, at, events, now, cause);
    }

    private static void Record(OrdersDbContext db, EventStore<OrdersDbContext> store, OrderRecord record, long version, IReadOnlyList<object> events, DateTimeOffset now,
        object? cause)
    {
        store.AppendAfter(Stream(record.OrderId), version, events, new EventMetadata(TenantId: record.TenantId, CausationId: cause is null ? null : db.CauseOf(cause)), now);
        foreach (var e in events)
        {
            var from = record.Status;
            OrderProjection.Apply(record, e, now);
            foreach (var message in OrderProjection.Messages(record, from, e, now))
            {
                db.AddToOutbox(message);
            }

            if (e is OrderWasHeld or OrderWasAccepted)
            {
                var decision = e is OrderWasHeld ? "held" : "accepted";
                db.AfterCommit(() => PlatformDiagnostics.OrdersImported.Add(1, new KeyValuePair<string, object?>("channel", record.Channel), new("decision", decision)));
            }
        }
    }

    /// <summary>New orders, a batch at a time: the orders already imported are found in one query and the catalog's
    /// SKUs in another; each new order's stream starts with its receipt and its decision (a new id has no events to
    /// read a version from). An order already imported goes the one-order way (<paramref name="again"/>).</summary>
    public static async Task ReceiveAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, IReadOnlyList<ChannelOrderReceived> messages, DateTimeOffset now,
        Func<ChannelOrderReceived, OrderRecord, Task> again, ILogger logger, CancellationToken ct)
    {
        var connections = messages.Select(m => m.ConnectionId).Distinct().ToList();
        var ids = messages.Select(m => m.ChannelOrderId).Distinct().ToList();
        // Both columns of the (connection, channel order id) key: the look-up stays on its index however many orders there are.
        var known = (await db.Orders.Where(o => connections.Contains(o.ConnectionId) && ids.Contains(o.ChannelOrderId)).ToListAsync(ct))
            .ToDictionary(o => (o.ConnectionId, o.ChannelOrderId));
        var claims = await ClaimsAsync(db, messages.Select(m => m.TenantId).Distinct().ToList(), messages.SelectMany(m => Skus(m.Order)).Distinct().ToList(), ct);
        var mappings = await MappingStatuses.StatusMappingEndpoints.OverridesAsync(db, connections, ct);
        foreach (var m in messages)
        {
            using var span = Traces.ContinueMessage(m, "order import");
            span?.SetTag("platform.channel_order_id", m.ChannelOrderId);
            if (known.TryGetValue((m.ConnectionId, m.ChannelOrderId), out var existing))
            {
                await again(m, existing);
                continue;
            }

            var received = new OrderReceived(Guid.CreateVersion7(), m.ConnectionId, m.Channel, m.ChannelOrderId, m.ChannelStatus, m.Order, m.ParseError, m.TenantId);
            var record = OrderProjection.Create(received, now, Traces.Current);
            span?.SetTag("platform.order_id", record.OrderId);
            db.Orders.Add(record);
            known[(m.ConnectionId, m.ChannelOrderId)] = record; // the same order twice in one batch (two pollers) is imported once
            var rule = MappingStatuses.StatusMapping.Resolve(m.Channel, m.ChannelStatus, mappings(m.ConnectionId));
            var events = OrderDecisions.Decide(new ReceiveOrder(received, rule?.Status), OrderStream.Start(Stream(record.OrderId)), sku => claims.GetValueOrDefault((m.TenantId, sku)));
            Record(db, store, record, 0, events, now, m);
            if (rule is { ActsOnShopify: true } && !OrderStatusMap.IsHistory(rule.Status))
            {
                // What the status asks of the Shopify order (tags, a held fulfilment), applied once Shopify has it.
                db.AddToOutbox(new OrderShopifyActionsRequested(m.TenantId, m.ConnectionId, record.OrderId, m.Channel, m.ChannelOrderId, m.ChannelStatus,
                    rule.Tags, rule.HoldFulfillment, now));
            }

            logger.LogInformation("{Channel} order {Order} imported as {OrderId}: {Status} {Reason}", m.Channel, m.ChannelOrderId, record.OrderId, record.Status, record.HoldReason);
        }
    }

    private static IEnumerable<string> Skus(ChannelOrder? order) => order?.Lines.Select(l => l.Sku ?? l.MerchantSku).OfType<string>() ?? [];

    /// <summary>How many catalog products claim each SKU, per (tenant, SKU).</summary>
    private static async Task<Dictionary<(Guid TenantId, string Sku), int>> ClaimsAsync(OrdersDbContext db, IReadOnlyList<Guid> tenants, IEnumerable<string> skus, CancellationToken ct)
    {
        var wanted = skus.Distinct().ToList();
        return (await db.CatalogSkus.AsNoTracking().Where(s => tenants.Contains(s.TenantId) && wanted.Contains(s.Sku)).ToListAsync(ct))
            .GroupBy(s => (s.TenantId, s.Sku)).ToDictionary(g => g.Key, g => g.Select(s => s.ProductId).Distinct().Count());
    }

    /// <summary>Held orders of a tenant whose cause may have gone away (a SKU appeared, became unique): decided again.</summary>
    public static async Task RetryHeldAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, Guid tenantId, IReadOnlyCollection<string> skus, DateTimeOffset now, CancellationToken ct)
    {
        var held = await db.Orders.Where(o => o.TenantId == tenantId && o.Status == UnifiedOrderStatus.Held
                                              && (o.HoldReason == HoldReason.UnknownSku || o.HoldReason == HoldReason.DuplicateSku)).ToListAsync(ct);
        foreach (var record in held.Where(o => skus.Any(s => o.HoldDetail?.Contains($"SKU {s} ", StringComparison.Ordinal) == true)))
        {
            await DecideAsync(db, store, record, new Reevaluate(), now, ct);
        }
    }
}

/// <summary>The order list and holds (the <c>orders</c> table) as a projection of the order streams: how one event moves
/// an order's row, and which integration events it means for the other services.</summary>
public static class OrderProjection
{
    public static OrderRecord Create(OrderReceived r, DateTimeOffset at, string? traceParent) => new()
    {
        OrderId = r.OrderId, TenantId = r.TenantId, ConnectionId = r.ConnectionId, Channel = r.Channel.ToString(), ChannelOrderId = r.ChannelOrderId,
        ChannelStatus = r.ChannelStatus, Status = UnifiedOrderStatus.Received, Order = r.Order is null ? null : JsonSerializer.Serialize(r.Order, PlatformJson.Options),
        ParseError = r.ParseError, ReceivedAt = at, UpdatedAt = at, TraceParent = traceParent,
    };

    public static void Apply(OrderRecord row, object e, DateTimeOffset at)
    {
        switch (e)
        {
            case OrderWasHeld h:
                if (row.HoldReason != h.Reason) row.HoldDismissedAt = null; // a new reason is a new hold, for the merchant to see
                row.Status = UnifiedOrderStatus.Held;
                (row.HoldReason, row.HoldDetail, row.HoldAction) = (h.Reason, h.Detail, h.Action);
                break;
            case OrderWasAccepted:
                row.Status = UnifiedOrderStatus.Accepted;
                (row.HoldReason, row.HoldDetail, row.HoldAction, row.HoldDismissedAt) = (null, null, null, null);
                break;
            case OrderWasExported x:
                (row.ShopifyOrderId, row.ShopifyOrderName) = (x.ShopifyOrderId, x.ShopifyOrderName);
                break;
            case OrderContentChanged c:
                row.Order = c.Order is null ? null : JsonSerializer.Serialize(c.Order, PlatformJson.Options);
                row.ParseError = c.ParseError;
                break;
            case OrderHoldWasReleased r:
                row.ReleasedHold = r.Reason;
                break;
            case OrderHoldWasDismissed:
                row.HoldDismissedAt = at;
                break;
            case OrderStatusWasChanged s:
                row.Status = s.To;
                row.ChannelStatus = s.ChannelStatus ?? row.ChannelStatus;
                break;
            case OrderChannelStatusWasReported r:
                row.ChannelStatus = r.ChannelStatus;
                break;
            default:
                return; // received (the row is made from it), cancellation requests and refusals, cancellations, shipments
        }

        row.UpdatedAt = at;
    }

    /// <summary>The order's shipment (its <c>order_shipments</c> row), as a shipment event leaves it; a new row for a shipment first heard of.</summary>
    public static OrderShipment Shipment(OrderShipment? row, Guid orderId, OrderShipmentChanged e, DateTimeOffset at)
    {
        row ??= new OrderShipment { ShipmentId = e.ShipmentId, OrderId = orderId, Status = e.Status, Units = e.Units, UpdatedAt = at };
        row.Status = e.Status;
        row.Units = e.Units;
        // A shipment dispatched (again) has no refusal any more; the other steps keep the last one.
        row.Error = e.Status == "Dispatched" ? null : e.Error ?? row.Error;
        row.UpdatedAt = at;
        return row;
    }

    /// <summary>What an event of the order means for the other services (the row already moved by it).</summary>
    public static IEnumerable<object> Messages(OrderRecord row, UnifiedOrderStatus from, object e, DateTimeOffset at)
    {
        var channel = Enum.Parse<Channel>(row.Channel);
        switch (e)
        {
            case OrderWasHeld h:
                yield return new OrderHeld(row.TenantId, row.ConnectionId, row.OrderId, channel, row.ChannelOrderId, h.Reason, h.Detail, h.Action, at);
                break;
            case OrderWasAccepted:
                var order = LegacyChannelOrders.Upgrade(channel, JsonSerializer.Deserialize<ChannelOrder>(row.Order!, PlatformJson.Options))!;
                yield return new OrderAccepted(row.TenantId, row.ConnectionId, row.OrderId, channel, row.ChannelOrderId, order, at);
                yield return new OrderStatusChanged(row.TenantId, row.ConnectionId, row.OrderId, from, UnifiedOrderStatus.Accepted, at);
                break;
            case OrderStatusWasChanged s:
                yield return new OrderStatusChanged(row.TenantId, row.ConnectionId, row.OrderId, s.From, s.To, at);
                break;
            case OrderLinesWereChanged l:
                yield return new OrderLinesChanged(row.TenantId, row.ConnectionId, row.OrderId, channel, row.ChannelOrderId, l.After, l.Before, at);
                break;
        }
    }
}
