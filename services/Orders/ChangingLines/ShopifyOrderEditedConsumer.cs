using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.ImportingOrders;

namespace Rakuten.Platform.Orders.ChangingLines;

/// <summary>What the Shopify adapter did when the marketplace order's units changed (units cancelled, lines changed):
/// kept on the order's timeline, so the merchant sees the Shopify order was edited — or why not, and edits it by hand.</summary>
public sealed class ShopifyOrderEditedConsumer(OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, ILogger<ShopifyOrderEditedConsumer> logger)
    : IConsumer<ShopifyOrderEdited>
{
    public Task Consume(ConsumeContext<ShopifyOrderEdited> context) =>
        db.ExecuteOnceAsync(context, nameof(ShopifyOrderEditedConsumer), async ct =>
        {
            var m = context.Message;
            if (await db.Orders.FirstOrDefaultAsync(o => o.OrderId == m.OrderId && o.TenantId == m.TenantId, ct) is not { } record)
            {
                return;
            }

            await OrderImport.RecordAsync(db, store, record, [new OrderShopifyEditWasReported(m.Lines, m.Applied, m.Outcome)], clock.GetUtcNow(), ct);
            logger.LogInformation("{Channel} order {Order}: Shopify order {Name} {Outcome}", record.Channel, record.ChannelOrderId, m.ShopifyOrderName, m.Outcome);
        }, logger);
}
