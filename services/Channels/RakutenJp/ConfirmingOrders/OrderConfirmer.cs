using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.RakutenJp.ConfirmingOrders;

/// <summary>When an imported RMS order is confirmed (注文確認, 100 → 300), per connection: once it reached Shopify
/// (<c>exported</c>, the default — an order held for an unknown SKU, a Shopify refusal or any other reason stays 100 in RMS
/// until the hold is released), as soon as it is imported (<c>received</c>, the behaviour before issue 22), or never (the
/// shop confirms by hand).</summary>
public static class ConfirmOn
{
    public const string Exported = "exported";
    public const string Received = "received";
    public const string Never = "never";

    public static readonly string[] All = [Exported, Received, Never];
}

/// <summary>Confirms the orders ready for it, 100 at a time per connection: at the end of every poll round, and at once when
/// an accepted order makes one ready. The pending list is in the database (<c>order_confirmations</c>), so nothing is lost to
/// a crash. An order RMS confirmed is 300 on the platform's copy at once (ChannelOrderStatusChanged), not at the next sweep.</summary>
public sealed class OrderConfirmer(IServiceScopeFactory scopes, RmsOrderClient rms, TimeProvider clock, IConfiguration configuration, ILogger<OrderConfirmer> logger)
    : BackgroundService
{
    private readonly System.Threading.Channels.Channel<Guid> _wake = System.Threading.Channels.Channel.CreateUnbounded<Guid>();

    /// <summary>The deployment's switch over every connection's setting (a shop that confirms by hand everywhere).</summary>
    public bool Enabled => configuration.GetValue("Platform:RakutenJp:ConfirmOrders", true);

    public void Wake(Guid connectionId) => _wake.Writer.TryWrite(connectionId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var connectionId in _wake.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>();
                var connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == connectionId && c.RemovedAt == null, stoppingToken);
                if (connection is not null && !connection.FlowsPaused)
                {
                    var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<RmsCredentials>(connection.ProtectedCredentials);
                    await ConfirmPendingAsync(db, connection, credentials, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The rows stay pending: the next poll round of the connection confirms them.
                logger.LogWarning(ex, "Confirming RMS orders of connection {Connection} failed; the next poll round tries again", connectionId);
            }
        }
    }

    /// <summary>Confirms the connection's orders ready for it; RMS's per-order answer is kept, and a confirmed order's new
    /// status goes out with it.</summary>
    public async Task ConfirmPendingAsync(RakutenJpDbContext db, ConnectionRecord connection, RmsCredentials credentials, CancellationToken ct)
    {
        if (!Enabled)
        {
            return;
        }

        while (true)
        {
            var pending = await db.OrderConfirmations.Where(c => c.ConnectionId == connection.Id && c.ConfirmedAt == null && !c.WaitsForExport)
                .OrderBy(c => c.OrderNumber).Take(100).ToListAsync(ct);
            if (pending.Count == 0)
            {
                return;
            }

            var answer = await rms.ConfirmOrderAsync(connection.Id, connection.BaseUrl, credentials, pending.Select(p => p.OrderNumber).ToList(), ct);
            if (!await RmsOrderPoller.AcceptAsync(db, connection, answer, "confirmOrder", "order confirmation", clock, logger, ct))
            {
                return;
            }

            var messages = (answer.Body!["MessageModelList"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(m => m["orderNumber"] is not null).GroupBy(m => m["orderNumber"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.First());
            var now = clock.GetUtcNow();
            var numbers = pending.Select(p => p.OrderNumber).ToList();
            var imported = await db.ImportedOrders.Where(o => o.ConnectionId == connection.Id && numbers.Contains(o.OrderNumber)).ToDictionaryAsync(o => o.OrderNumber, ct);
            foreach (var confirmation in pending)
            {
                // Answered either way (confirmed, cancelled meanwhile, no longer awaiting confirmation): not asked again.
                var message = messages.GetValueOrDefault(confirmation.OrderNumber);
                confirmation.ConfirmedAt = now;
                confirmation.Outcome = message is null ? "no answer for this order" : $"{message["messageCode"]}: {message["message"]}";
                if (message?["messageType"]?.GetValue<string>() == "INFO" && imported.GetValueOrDefault(confirmation.OrderNumber) is { OrderProgress: 100 } order)
                {
                    // The platform moved it: its copy of the status follows now rather than at the next sweep.
                    order.OrderProgress = 300;
                    db.AddToOutbox(new ChannelOrderStatusChanged(connection.TenantId, connection.Id, Channel.RakutenJp, order.OrderNumber, "300", [], now));
                }
            }

            await db.SaveChangesAsync(ct);
            logger.LogInformation("RMS confirmOrder for {Shop}: {Count} order(s) answered", connection.ExternalId, pending.Count);
        }
    }
}

/// <summary>An RMS order reached Shopify (not held, or its hold released): it may be confirmed in RMS now. An export
/// announced by a Shopify adapter older than issue 22 names no marketplace order: its order was staged ready, as before.</summary>
public sealed class OrderExportedConsumer(RakutenJpDbContext db, OrderConfirmer confirmer, ILogger<OrderExportedConsumer> logger) : IConsumer<OrderExported>
{
    public async Task Consume(ConsumeContext<OrderExported> context)
    {
        var m = context.Message;
        if (m is not { SourceConnectionId: { } connectionId, ChannelOrderId: { } number }
            || !await db.Connections.AnyAsync(c => c.Id == connectionId, context.CancellationToken))
        {
            return; // another channel's order
        }

        var ready = false;
        await db.ExecuteOnceAsync(context, nameof(OrderExportedConsumer), async ct =>
        {
            ready = await db.OrderConfirmations.Where(c => c.ConnectionId == connectionId && c.OrderNumber == number && c.ConfirmedAt == null && c.WaitsForExport)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.WaitsForExport, false), ct) > 0;
        }, logger);
        if (ready)
        {
            confirmer.Wake(connectionId);
        }
    }
}
