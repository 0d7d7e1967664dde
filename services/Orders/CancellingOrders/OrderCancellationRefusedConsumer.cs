using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.ImportingOrders;
using Rakuten.Platform.Orders.TrackingStatus;

namespace Rakuten.Platform.Orders.CancellingOrders;

/// <summary>The marketplace would not cancel: the order goes back to where it was, with the marketplace's code and message.</summary>
public sealed class OrderCancellationRefusedConsumer(
    OrdersDbContext db, EventStore<OrdersDbContext> store, TimeProvider clock, ILogger<OrderCancellationRefusedConsumer> logger) : IConsumer<OrderCancellationRefused>
{
    public Task Consume(ConsumeContext<OrderCancellationRefused> context) =>
        db.ExecuteOnceAsync(context, nameof(OrderCancellationRefusedConsumer), async ct =>
        {
            var m = context.Message;
            var record = await db.Orders.FirstOrDefaultAsync(o => o.OrderId == m.OrderId, ct);
            var cancellation = await db.Cancellations.FirstOrDefaultAsync(c => c.OrderId == m.OrderId, ct);
            if (record is null || cancellation is null || record.Status != UnifiedOrderStatus.CancellationRequested)
            {
                return; // the channel moved the order meanwhile (it shipped, or cancelled it after all): its word stands
            }

            cancellation.Refusal = $"{m.Error.Code}: {m.Error.Message}";
            await OrderImport.RecordAsync(db, store, record, [new OrderCancellationWasRefused(m.Error.Code, m.Error.Message)], clock.GetUtcNow(), ct);
            await OrderStatus.MoveAsync(db, store, record, cancellation.PreviousStatus, null, clock.GetUtcNow(), ct);
            logger.LogWarning("{Channel} refused to cancel order {Order}: {Refusal}", m.Channel, m.ChannelOrderId, cancellation.Refusal);
        }, logger);
}
