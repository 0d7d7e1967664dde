using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Contracts.Catalog;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.ImportingOrders;

/// <summary>Marketplace orders, imported once per (connection, channel order id) — the key is unique, so even two
/// pollers delivering the same order make one — then accepted or held; a batch at a time (up to 100 in one
/// transaction: a transaction per order was the import's ceiling), and a batch that fails is imported an order at a
/// time, so one order that cannot be imported holds up only itself. Handed on again with new content, an order held
/// for its content is decided again.</summary>
public sealed class ChannelOrderReceivedConsumer(OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, ILogger<ChannelOrderReceivedConsumer> logger)
    : IConsumer<Batch<ChannelOrderReceived>>
{
    public Task Consume(ConsumeContext<Batch<ChannelOrderReceived>> context) =>
        db.ExecuteOnceEachAsync(context.Message, nameof(ChannelOrderReceivedConsumer),
            (messages, ct) => OrderImport.ReceiveAsync(db, store, messages, clock.GetUtcNow(), (m, existing) => AgainAsync(m, existing, ct), logger, ct),
            logger, context.CancellationToken);

    private async Task AgainAsync(ChannelOrderReceived m, OrderRecord existing, CancellationToken ct)
    {
        // The marketplace changed the order: a hold its content caused (amount, address, payload) is decided again.
        var decided = await OrderImport.DecideAsync(db, store, existing, new ChangeContent(m.Order, m.ParseError), clock.GetUtcNow(), ct, cause: m);
        if (decided.Count > 0)
        {
            logger.LogInformation("{Channel} order {Order} changed on the marketplace: now {Status}", m.Channel, m.ChannelOrderId, existing.Status);
            return;
        }

        logger.LogInformation("{Channel} order {Order} is already imported as {OrderId}", m.Channel, m.ChannelOrderId, existing.OrderId);
    }
}

/// <summary>Keeps the SKUs the catalog knows; a held order waiting for one of them is decided again.</summary>
public sealed class ProductSyncedConsumer(OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, ILogger<ProductSyncedConsumer> logger) : IConsumer<ProductSynced>
{
    public Task Consume(ConsumeContext<ProductSynced> context) =>
        db.ExecuteOnceAsync(context, nameof(ProductSyncedConsumer), async ct =>
        {
            var m = context.Message;
            await AdvisoryLock.AcquireAsync(db, $"orders-skus:{m.TenantId}", ct);
            var mine = await db.CatalogSkus.Where(s => s.TenantId == m.TenantId && s.ProductId == m.Product.ProductId).ToListAsync(ct);
            var skus = m.Deleted ? [] : m.Product.Variants.Select(v => v.Sku).OfType<string>().Distinct().ToList();
            db.CatalogSkus.RemoveRange(mine.Where(s => !skus.Contains(s.Sku)));
            db.CatalogSkus.AddRange(skus.Where(s => mine.All(x => x.Sku != s)).Select(s => new CatalogSku { TenantId = m.TenantId, Sku = s, ProductId = m.Product.ProductId }));
            await db.SaveChangesAsync(ct);
            await OrderImport.RetryHeldAsync(db, store, m.TenantId, skus.Concat(mine.Select(s => s.Sku)).Distinct().ToList(), clock.GetUtcNow(), ct);
        }, logger);
}

/// <summary>Shopify has the order: recorded on the order, a batch at a time (the orders and their streams' versions
/// read in one query each); a batch that fails is recorded an order at a time.</summary>
public sealed class OrderExportedConsumer(OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, ILogger<OrderExportedConsumer> logger)
    : IConsumer<Batch<OrderExported>>
{
    public Task Consume(ConsumeContext<Batch<OrderExported>> context) =>
        db.ExecuteOnceEachAsync(context.Message, nameof(OrderExportedConsumer), async (exports, ct) =>
        {
            var ids = exports.Select(m => m.OrderId).Distinct().ToList();
            var records = await db.Orders.Where(o => ids.Contains(o.OrderId) && o.ShopifyOrderId == null).ToDictionaryAsync(o => o.OrderId, ct);
            var versions = await store.CurrentVersionsAsync(records.Keys.Select(OrderImport.Stream).ToList(), ct);
            foreach (var m in exports)
            {
                using var span = Traces.ContinueMessage(m, "order exported");
                if (!records.Remove(m.OrderId, out var record))
                {
                    continue; // not an order of ours, or its export is already recorded
                }

                // A fact from Shopify rather than a decision: the query above already left out an order whose export is recorded.
                await OrderImport.RecordAsync(db, store, record, [new OrderWasExported(m.ShopifyOrderId, m.ShopifyOrderName)], clock.GetUtcNow(), ct,
                    versions[OrderImport.Stream(m.OrderId)], cause: m);
            }
        }, logger, context.CancellationToken);
}

/// <summary>Shopify refused the order (the Shopify adapter says why): the order is held with Shopify's errors, and
/// Orders says so to everyone with its OrderHeld.</summary>
public sealed class ShopifyRefusedConsumer(OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, ILogger<ShopifyRefusedConsumer> logger)
    : IConsumer<OrderExportRefused>
{
    public Task Consume(ConsumeContext<OrderExportRefused> context) =>
        db.ExecuteOnceAsync(context, nameof(ShopifyRefusedConsumer), async ct =>
        {
            var m = context.Message;
            var record = await db.Orders.FirstOrDefaultAsync(o => o.OrderId == m.OrderId && o.TenantId == m.TenantId, ct);
            if (record is null)
            {
                return;
            }

            await OrderImport.DecideAsync(db, store, record, new RecordShopifyRefusal(m.Detail, m.Action), clock.GetUtcNow(), ct);
        }, logger);
}

/// <summary>Shopify refusals announced the previous version's way — the Shopify adapter publishing Orders' own
/// <c>OrderHeld</c> — and still queued when this version starts: applied rather than dropped. Orders' own OrderHeld comes
/// back here too and changes nothing: a refusal the order's stream already recorded is never recorded again (not even
/// after the merchant retried the order — that refusal is over). To be removed once no Shopify adapter of the previous
/// version runs and its messages are drained.</summary>
public sealed class PreviousShopifyRefusalConsumer(OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, ILogger<PreviousShopifyRefusalConsumer> logger)
    : IConsumer<OrderHeld>
{
    public Task Consume(ConsumeContext<OrderHeld> context) =>
        context.Message.Reason != HoldReason.ShopifyRefused
            ? Task.CompletedTask
            : db.ExecuteOnceAsync(context, nameof(PreviousShopifyRefusalConsumer), async ct =>
            {
                var m = context.Message;
                if (await db.Orders.FirstOrDefaultAsync(o => o.OrderId == m.OrderId && o.TenantId == m.TenantId, ct) is { } record
                    && !(await store.LoadAsync(OrderImport.Stream(record.OrderId), ct: ct)).Any(e => e.Data is OrderWasHeld { Reason: HoldReason.ShopifyRefused } held && held.Detail == m.Detail))
                {
                    await OrderImport.DecideAsync(db, store, record, new RecordShopifyRefusal(m.Detail, m.Action), clock.GetUtcNow(), ct);
                }
            }, logger);
}
