using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.Shopify.ExportingOrders;

/// <summary>Records the intent to create the Shopify order (once per order id) and wakes the exporter, which makes
/// the call: the intent survives a crash, and the exporter recognises a half-made call by the order's tag.</summary>
public sealed class OrderAcceptedConsumer(ShopifyDbContext db, OrderExporter exporter, TimeProvider clock, ILogger<OrderAcceptedConsumer> logger) : IConsumer<OrderAccepted>
{
    public async Task Consume(ConsumeContext<OrderAccepted> context)
    {
        var m = context.Message;
        await db.ExecuteOnceAsync(context, nameof(OrderAcceptedConsumer), async ct =>
        {
            var now = clock.GetUtcNow();
            var existing = await db.OrderExports.FirstOrDefaultAsync(e => e.OrderId == m.OrderId, ct);
            if (existing is not null)
            {
                // Accepted again after Shopify refused it (the merchant retried): try once more. Otherwise it is a repeat.
                if (existing.State == ExportState.Refused)
                {
                    existing.State = ExportState.Pending;
                    existing.NextAttemptAt = now;
                }

                return;
            }

            var store = (await db.Connections.AsNoTracking().Where(c => c.TenantId == m.TenantId && c.RemovedAt == null).ToListAsync(ct))
                .OrderBy(c => c.CreatedAt).FirstOrDefault();
            if (store is null)
            {
                db.AddToOutbox(new OrderHeld(m.TenantId, m.ConnectionId, m.OrderId, m.Channel, m.ChannelOrderId, HoldReason.ShopifyRefused,
                    "No Shopify store is connected for this merchant.", "Connect the Shopify store, then retry the order.", now));
                return;
            }

            db.OrderExports.Add(new OrderExport
            {
                OrderId = m.OrderId, TenantId = m.TenantId, ConnectionId = store.Id, SourceConnectionId = m.ConnectionId, Channel = m.Channel.ToString(),
                ChannelOrderId = m.ChannelOrderId, Order = JsonSerializer.Serialize(m.Order, PlatformJson.Options), State = ExportState.Pending,
                NextAttemptAt = now, CreatedAt = now,
            });
        }, logger);
        exporter.Wake();
    }
}
