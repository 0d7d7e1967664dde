using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.RakutenJp.TrackingOrders;

/// <summary>Every few minutes, re-reads the imported orders RMS has not finished with (getOrder, 100 at a time) and
/// hands on what changed: a new orderProgress as ChannelOrderStatusChanged (a buyer's cancellation, 800 → 900, a
/// shipment, payment), a changed content as ChannelOrderReceived again (an amount RMS settled, an address the buyer
/// entered: a held order is then decided again). The change and its message commit together.</summary>
public sealed class RmsStatusSweep(
    IServiceScopeFactory scopes, RmsOrderClient rms, TimeProvider clock, IConfiguration configuration, ILogger<RmsStatusSweep> logger) : BackgroundService
{
    /// <summary>Cancelled (900) and paid (700) orders are finished; nothing RMS does to them concerns the platform's flows.</summary>
    private static readonly int[] Finished = [700, 900];

    private TimeSpan Interval => configuration.GetValue("Platform:RakutenJp:OrderSweepInterval", TimeSpan.FromMinutes(5));

    /// <summary>Orders older than this are no longer followed (RMS keeps them 730 days; a live order is far younger).</summary>
    private TimeSpan Horizon => configuration.GetValue("Platform:RakutenJp:OrderSweepHorizon", TimeSpan.FromDays(120));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Platform:RakutenJp:OrderPollerEnabled", true))
        {
            return;
        }

        // The poller has just imported the orders: the first sweep comes one interval later.
        await BackgroundRounds.RepeatAsync(SweepAllAsync, ct => Task.Delay(Interval, ct), logger, "RMS status sweep", stoppingToken, waitFirst: true);
    }

    public async Task SweepAllAsync(CancellationToken ct)
    {
        List<Guid> ids;
        await using (var scope = scopes.CreateAsyncScope())
        {
            ids = await scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>().ActiveConnectionIdsAsync(ct);
        }

        await BackgroundRounds.EachAsync(ids, SweepConnectionAsync, logger, "RMS status sweep of connection", ct);
    }

    private async Task SweepConnectionAsync(Guid connectionId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>();
        var connection = await db.Connections.FirstAsync(c => c.Id == connectionId, ct);
        var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<RmsCredentials>(connection.ProtectedCredentials);
        var since = clock.GetUtcNow() - Horizon;
        var open = await db.ImportedOrders.AsNoTracking()
            .Where(o => o.ConnectionId == connectionId && !Finished.Contains(o.OrderProgress) && o.ImportedAt >= since)
            .OrderBy(o => o.OrderNumber).Select(o => o.OrderNumber).ToListAsync(ct);
        var adopted = await RmsOrderPoller.AdoptedAsync(db, connectionId, ct);
        foreach (var batch in open.Chunk(100))
        {
            var answer = await rms.GetOrderAsync(connection.Id, connection.BaseUrl, credentials, batch, ct);
            if (!await RmsOrderPoller.AcceptAsync(db, connection, answer, "getOrder", "the order status sweep", clock, logger, ct))
            {
                return;
            }

            var models = (answer.Body!["OrderModelList"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var numbers = models.Select(m => m["orderNumber"]!.GetValue<string>()).ToList();
            var imported = await db.ImportedOrders.Where(o => o.ConnectionId == connectionId && numbers.Contains(o.OrderNumber)).ToDictionaryAsync(o => o.OrderNumber, ct);
            var fingerprints = await db.OrderFingerprints.Where(o => o.ConnectionId == connectionId && numbers.Contains(o.OrderNumber)).ToDictionaryAsync(o => o.OrderNumber, ct);
            var now = clock.GetUtcNow();
            foreach (var model in models)
            {
                var number = model["orderNumber"]!.GetValue<string>();
                var progress = model["orderProgress"]?.GetValue<int>() ?? 0;
                var row = imported[number];
                var (mapped, parseError) = RmsOrderPoller.Map(model, adopted);
                var fingerprint = RmsOrderMapping.Fingerprint(mapped, parseError);
                var status = progress.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!fingerprints.TryGetValue(number, out var known))
                {
                    db.OrderFingerprints.Add(known = new OrderFingerprint { ConnectionId = connectionId, OrderNumber = number, Fingerprint = fingerprint });
                }
                else if (known.Fingerprint != fingerprint)
                {
                    known.Fingerprint = fingerprint;
                    db.AddToOutbox(new ChannelOrderReceived(connection.TenantId, connectionId, Channel.RakutenJp, number, status, mapped, parseError, now));
                    logger.LogInformation("RMS order {Order} of {Shop} changed; handed on again", number, connection.ExternalId);
                }

                if (row.OrderProgress != progress)
                {
                    logger.LogInformation("RMS order {Order} of {Shop}: {From} → {To}", number, connection.ExternalId, row.OrderProgress, progress);
                    row.OrderProgress = progress;
                    db.AddToOutbox(new ChannelOrderStatusChanged(connection.TenantId, connectionId, Channel.RakutenJp, number, status,
                        mapped?.Lines.Select(l => l.ChannelLineId).ToList() ?? [], now));
                }
            }

            await db.SaveChangesAsync(ct);
        }
    }
}
