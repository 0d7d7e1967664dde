using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.RakutenFr.ImportingSales;

/// <summary>The platform decided a Rakuten France sale (accepted: its stock is reserved; held or cancelled: it never
/// will be): its accepted units stop counting as pending once the stock change has had time to arrive.</summary>
public sealed class SaleSettledConsumer(RakutenFrDbContext db, TimeProvider clock, ILogger<SaleSettledConsumer> logger)
    : IConsumer<OrderAccepted>, IConsumer<OrderHeld>, IConsumer<OrderCancelled>
{
    public Task Consume(ConsumeContext<OrderAccepted> context) => SettleAsync(context, context.Message.Channel, context.Message.ConnectionId, context.Message.ChannelOrderId);

    public Task Consume(ConsumeContext<OrderHeld> context) => SettleAsync(context, context.Message.Channel, context.Message.ConnectionId, context.Message.ChannelOrderId);

    public Task Consume(ConsumeContext<OrderCancelled> context) => SettleAsync(context, context.Message.Channel, context.Message.ConnectionId, context.Message.ChannelOrderId);

    private async Task SettleAsync(ConsumeContext context, Channel channel, Guid connectionId, string channelOrderId)
    {
        if (channel != Channel.RakutenFr || !long.TryParse(channelOrderId, out var purchaseId))
        {
            return;
        }

        await db.ExecuteOnceAsync(context, nameof(SaleSettledConsumer), async ct =>
        {
            var now = clock.GetUtcNow();
            await db.SaleItems.Where(i => i.ConnectionId == connectionId && i.PurchaseId == purchaseId && i.SettledAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.SettledAt, now), ct);
        }, logger);
    }
}
