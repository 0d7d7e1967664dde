using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.Shopify.ExportingOrders;

/// <summary>Records the intent to create the Shopify order (once per order id) and wakes the exporter, which makes
/// the call: the intent survives a crash, and the exporter recognises a half-made call by the order's tag. A batch of
/// accepted orders at a time (one query for the intents already there, one for the stores, one commit); a batch that
/// fails is recorded an order at a time, so one order holds up only itself.</summary>
public sealed class OrderAcceptedConsumer(ShopifyDbContext db, OrderExporter exporter, TimeProvider clock, ILogger<OrderAcceptedConsumer> logger) : IConsumer<Batch<OrderAccepted>>
{
    public async Task Consume(ConsumeContext<Batch<OrderAccepted>> context)
    {
        await db.ExecuteOnceEachAsync(context.Message, nameof(OrderAcceptedConsumer), RecordAsync, logger, context.CancellationToken);
        exporter.Wake();
    }

    private async Task RecordAsync(IReadOnlyList<OrderAccepted> orders, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ids = orders.Select(m => m.OrderId).Distinct().ToList();
        var existing = await db.OrderExports.Where(e => ids.Contains(e.OrderId)).ToDictionaryAsync(e => e.OrderId, ct);
        var tenants = orders.Select(m => m.TenantId).Distinct().ToList();
        // A merchant's first connected store takes the orders.
        var stores = (await db.Connections.AsNoTracking().Where(c => tenants.Contains(c.TenantId) && c.RemovedAt == null).ToListAsync(ct))
            .GroupBy(c => c.TenantId).ToDictionary(g => g.Key, g => g.MinBy(c => c.CreatedAt)!);
        foreach (var m in orders)
        {
            using var span = Traces.ContinueMessage(m, "shopify export recorded");
            if (existing.TryGetValue(m.OrderId, out var export))
            {
                // Accepted again after Shopify refused it (the merchant retried): try once more. Otherwise it is a repeat.
                if (export.State == ExportState.Refused)
                {
                    export.State = ExportState.Pending;
                    export.NextAttemptAt = now;
                }

                continue;
            }

            if (!stores.TryGetValue(m.TenantId, out var store))
            {
                db.AddToOutbox(new OrderExportRefused(m.TenantId, m.ConnectionId, m.OrderId, m.Channel, m.ChannelOrderId,
                    "No Shopify store is connected for this merchant.", "Connect the Shopify store, then retry the order.", now));
                continue;
            }

            export = new OrderExport
            {
                OrderId = m.OrderId, TenantId = m.TenantId, ConnectionId = store.Id, SourceConnectionId = m.ConnectionId, Channel = m.Channel.ToString(),
                ChannelOrderId = m.ChannelOrderId, Order = JsonSerializer.Serialize(m.Order, PlatformJson.Options), State = ExportState.Pending,
                NextAttemptAt = now, CreatedAt = now, TraceParent = Traces.Current,
            };
            db.OrderExports.Add(export);
            existing[m.OrderId] = export; // the same order twice in one batch is one intent
        }
    }
}
