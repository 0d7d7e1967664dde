using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.RakutenJp.CancellingOrders;

/// <summary>The merchant cancels an RMS order through the platform: RMS cancelOrder with the reason's code, then the
/// order is read back and its status handed on (800/900 → the platform cancels it everywhere), or RMS's refusal is.
/// Reading back also makes a redelivery after a crash safe: RMS refuses a second cancelOrder, but the order reads 900.</summary>
public sealed class OrderCancellationRequestedConsumer(
    RakutenJpDbContext db, ConnectionSecrets secrets, RmsOrderClient rms, TimeProvider clock, ILogger<OrderCancellationRequestedConsumer> logger)
    : IConsumer<OrderCancellationRequested>
{
    /// <summary>RMS changeReasonDetailApply (reference §3.6): 1 buyer's cancellation, 8 out of stock, 13 shipping delay, 10 other (shop).</summary>
    public static int ReasonCode(string reason) => reason switch
    {
        CancellationReasons.BuyerRequest => 1,
        CancellationReasons.OutOfStock => 8,
        CancellationReasons.ShippingDelay => 13,
        _ => 10,
    };

    public async Task Consume(ConsumeContext<OrderCancellationRequested> context)
    {
        var m = context.Message;
        if (m.Channel != Channel.RakutenJp)
        {
            return;
        }

        await db.ExecuteOnceAsync(context, nameof(OrderCancellationRequestedConsumer), async ct =>
        {
            var connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == m.ConnectionId, ct);
            if (connection is null)
            {
                return; // another deployment's shop
            }

            var credentials = secrets.Unprotect<RmsCredentials>(connection.ProtectedCredentials);
            var cancel = await rms.CancelOrderAsync(connection.Id, connection.BaseUrl, credentials, m.ChannelOrderId, ReasonCode(m.Reason), ct);
            var read = await rms.GetOrderAsync(connection.Id, connection.BaseUrl, credentials, [m.ChannelOrderId], ct);
            if (!await RmsOrderPoller.AcceptAsync(db, connection, read, "getOrder", "order cancellation", clock, logger, ct))
            {
                throw new InvalidOperationException($"RMS did not answer getOrder for {m.ChannelOrderId} after cancelOrder ({read.Messages}); retried");
            }

            var model = (read.Body!["OrderModelList"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault();
            var progress = model?["orderProgress"]?.GetValue<int>();
            var now = clock.GetUtcNow();
            if (progress is 800 or 900)
            {
                var imported = await db.ImportedOrders.FirstOrDefaultAsync(o => o.ConnectionId == connection.Id && o.OrderNumber == m.ChannelOrderId, ct);
                if (imported is not null) imported.OrderProgress = progress.Value;
                db.AddToOutbox(new ChannelOrderStatusChanged(connection.TenantId, connection.Id, Channel.RakutenJp, m.ChannelOrderId,
                    progress.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ChannelItemIds, now));
                logger.LogInformation("RMS order {Order} of {Shop} cancelled ({Progress})", m.ChannelOrderId, connection.ExternalId, progress);
                return;
            }

            var error = cancel.Body?["MessageModelList"] is JsonArray { Count: > 0 } list && list[0] is JsonObject first
                ? new ChannelError(first["messageCode"]?.ToString() ?? $"HTTP {(int)cancel.Status}", first["message"]?.ToString() ?? "")
                : new ChannelError($"HTTP {(int)cancel.Status}", $"RMS did not cancel the order; it is {(progress is null ? "not found" : $"in status {progress}")}");
            if (!cancel.Ok && (int)cancel.Status >= 500)
            {
                throw new InvalidOperationException($"RMS cancelOrder for {m.ChannelOrderId} answered {cancel.Messages}; retried");
            }

            db.AddToOutbox(new OrderCancellationRefused(m.TenantId, m.ConnectionId, m.OrderId, m.Channel, m.ChannelOrderId, error, now));
            logger.LogWarning("RMS would not cancel order {Order} of {Shop}: {Code} {Message}", m.ChannelOrderId, connection.ExternalId, error.Code, error.Message);
        }, logger);
    }
}
