using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.Connecting;
using Rakuten.Platform.Channels.RakutenFr.ImportingSales;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.RakutenFr.CancellingSales;

/// <summary>The merchant cancels a Rakuten France sale through the platform: cancelitem for each unit, with the comment
/// the buyer receives. The cancelled units are handed on as the sale's new status; units Rakuten would not cancel (already
/// shipped, say) are reported with Rakuten's error. An item already cancelled (a redelivery after a crash) counts as done.</summary>
public sealed class OrderCancellationRequestedConsumer(
    RakutenFrDbContext db, ConnectionSecrets secrets, RakutenFrSalesClient sales, TimeProvider clock, ILogger<OrderCancellationRequestedConsumer> logger)
    : IConsumer<OrderCancellationRequested>
{
    public async Task Consume(ConsumeContext<OrderCancellationRequested> context)
    {
        var m = context.Message;
        if (m.Channel != Channel.RakutenFr || !long.TryParse(m.ChannelOrderId, out var purchaseId))
        {
            return;
        }

        await db.ExecuteOnceAsync(context, nameof(OrderCancellationRequestedConsumer), async ct =>
        {
            var connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == m.ConnectionId, ct);
            if (connection is null)
            {
                return;
            }

            var credentials = secrets.Unprotect<RakutenFrCredentials>(connection.ProtectedCredentials);
            var items = await db.SaleItems.Where(i => i.ConnectionId == connection.Id && i.PurchaseId == purchaseId && i.Decision == SaleRules.Accepted).ToListAsync(ct);
            ChannelError? refusal = null;
            foreach (var item in items.Where(i => i.Status != "CANCELLED"))
            {
                try
                {
                    await sales.CancelItemAsync(connection, credentials, item.ItemId, m.Comment, ct);
                    item.Status = "CANCELLED";
                }
                catch (RakutenFrException ex) when (ex.Error.Code == "ParameterError")
                {
                    var status = await sales.ItemStatusAsync(connection, credentials, item.ItemId, ct);
                    item.Status = status.Length > 0 ? status : item.Status;
                    if (item.Status != "CANCELLED")
                    {
                        refusal ??= ex.Error;
                    }
                }
            }

            var now = clock.GetUtcNow();
            var cancelled = items.Where(i => i.Status == "CANCELLED").Select(i => i.ItemId.ToString(CultureInfo.InvariantCulture)).ToList();
            var summary = SaleRules.Summary(items.Select(i => i.Status).ToList());
            if (cancelled.Count > 0)
            {
                db.AddToOutbox(new ChannelOrderStatusChanged(connection.TenantId, connection.Id, Channel.RakutenFr, m.ChannelOrderId,
                    summary == "CANCELLED" ? summary : "PARTIALLY_CANCELLED", cancelled, now));
            }

            if (refusal is not null)
            {
                db.AddToOutbox(new OrderCancellationRefused(m.TenantId, m.ConnectionId, m.OrderId, m.Channel, m.ChannelOrderId, refusal, now));
            }

            logger.LogInformation("Rakuten France sale {Purchase}: {Cancelled} unit(s) cancelled{Refusal}", purchaseId, cancelled.Count,
                refusal is null ? "" : $"; Rakuten refused the rest: {refusal.Code} {refusal.Message}");
        }, logger);
    }
}
