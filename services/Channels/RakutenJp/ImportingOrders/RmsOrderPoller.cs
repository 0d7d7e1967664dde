using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Connections;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.RakutenJp.ImportingOrders;

/// <summary>Finds new RMS orders per connection (searchOrder by order date over every order progress, then getOrder
/// in batches of 100, by <see cref="RmsOrderImporter"/>) and hands each to the platform once as ChannelOrderReceived. Its
/// first round is the backfill: every order of the last <c>Platform:RakutenJp:OrderBackfill</c> (90 days), in every status —
/// those already shipped, paid or cancelled are kept on the platform as history. Its position per connection
/// is stored, so a restart, a maintenance window (503) or a paused connection (401) resumes where it stopped:
/// the window is searched again from there, and (connection, order number) keeps every order to one import. Once a day
/// the last five days are searched again (the catch-up).</summary>
public sealed class RmsOrderPoller(
    IServiceScopeFactory scopes, RmsOrderImporter importer, ConfirmingOrders.OrderConfirmer confirmer, TimeProvider clock, IConfiguration configuration,
    ILogger<RmsOrderPoller> logger)
    : BackgroundService
{
    private TimeSpan Interval => configuration.GetValue("Platform:RakutenJp:OrderPollInterval", TimeSpan.FromSeconds(30));

    private TimeSpan CatchUpEvery => configuration.GetValue("Platform:RakutenJp:OrderCatchUpEvery", TimeSpan.FromDays(1));

    private TimeSpan CatchUpWindow => configuration.GetValue("Platform:RakutenJp:OrderCatchUpWindow", TimeSpan.FromDays(5));

    private TimeSpan Backfill => configuration.GetValue("Platform:RakutenJp:OrderBackfill", TimeSpan.FromDays(90));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Platform:RakutenJp:OrderPollerEnabled", true))
        {
            return;
        }

        await BackgroundRounds.RepeatAsync(PollAllAsync, ct => Task.Delay(Interval, ct), logger, "RMS order poll", stoppingToken);
    }

    public async Task PollAllAsync(CancellationToken ct)
    {
        List<Guid> ids;
        await using (var scope = scopes.CreateAsyncScope())
        {
            ids = await scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>().ActiveConnectionIdsAsync(ct);
        }

        await BackgroundRounds.EachAsync(ids, PollConnectionAsync, logger, "RMS order poll of connection", ct);
    }

    private async Task PollConnectionAsync(Guid connectionId, CancellationToken ct)
    {
        using var poll = PlatformDiagnostics.ActivitySource.StartActivity("rms order poll");
        poll?.SetTag("platform.connection_id", connectionId);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>();
        var connection = await db.Connections.FirstAsync(c => c.Id == connectionId, ct);
        var credentials = secrets.Unprotect<RmsCredentials>(connection.ProtectedCredentials);
        var now = clock.GetUtcNow();
        var cursor = await db.OrderPollCursors.FirstOrDefaultAsync(c => c.ConnectionId == connectionId, ct);
        if (cursor is null)
        {
            cursor = new OrderPollCursor { ConnectionId = connectionId, PolledUntil = now - Backfill };
            db.OrderPollCursors.Add(cursor);
        }

        // Orders appear in search a little after they are placed: each round looks back a few minutes.
        foreach (var (from, to) in RmsOrderImporter.Windows(cursor.PolledUntil.AddMinutes(-5), now))
        {
            if (!await importer.ImportWindowAsync(db, connection, credentials, from, to, ct))
            {
                return; // the cursor stays: the next round searches this window again
            }

            cursor.PolledUntil = to;
            await db.SaveChangesAsync(ct);
        }

        // Daily, the last five days are searched again: an order RMS listed late, or one lost to a mishap, is found here.
        var catchUp = await db.OrderCatchUps.FirstOrDefaultAsync(c => c.ConnectionId == connectionId, ct);
        if (catchUp is null)
        {
            db.OrderCatchUps.Add(new OrderCatchUp { ConnectionId = connectionId, CaughtUpAt = now }); // the backfill just covered them
            await db.SaveChangesAsync(ct);
        }
        else if (now - catchUp.CaughtUpAt >= CatchUpEvery)
        {
            if (!await importer.ImportWindowAsync(db, connection, credentials, now - CatchUpWindow, now, ct))
            {
                return;
            }

            catchUp.CaughtUpAt = now;
            await db.SaveChangesAsync(ct);
            logger.LogInformation("RMS daily catch-up of {Shop} searched the last {Days} days", connection.ExternalId, CatchUpWindow.TotalDays);
        }

        await confirmer.ConfirmPendingAsync(db, connection, credentials, ct);
    }

    /// <summary>The merchant's items the platform adopted on this connection (their order lines are managed) and the Shopify
    /// SKU of each of their published variants.</summary>
    public static async Task<AdoptedRmsItems> AdoptedAsync(RakutenJpDbContext db, Guid connectionId, CancellationToken ct)
    {
        var items = (await db.AdoptedItems.AsNoTracking().Where(a => a.ConnectionId == connectionId).Select(a => a.ManageNumber).ToListAsync(ct)).ToHashSet();
        if (items.Count == 0)
        {
            return AdoptedRmsItems.None;
        }

        var skus = await db.RmsSkus.AsNoTracking().Where(s => s.ConnectionId == connectionId && items.Contains(s.ManageNumber)).ToListAsync(ct);
        return new AdoptedRmsItems(items, skus.GroupBy(s => (s.ManageNumber, s.VariantId)).ToDictionary(g => g.Key, g => g.First().Sku));
    }

    /// <summary>An RMS order as the platform's ChannelOrder, or the reason it cannot be read.</summary>
    public static (ChannelOrder? Order, string? ParseError) Map(JsonObject order, AdoptedRmsItems? adopted = null)
    {
        try
        {
            return (RmsOrderMapping.ToChannelOrder(order, adopted), null);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or NullReferenceException or ArgumentException)
        {
            // A payload that cannot be read is handed on with its error, to be held — not dropped.
            return (null, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>Whether RMS answered; a 401 marks the connection Unauthorized (its flows pause), anything else is logged.</summary>
    public static async Task<bool> AcceptAsync(RakutenJpDbContext db, ConnectionRecord connection, RmsAnswer answer, string function, string flow,
        TimeProvider clock, ILogger logger, CancellationToken ct)
    {
        if (answer.Ok)
        {
            return true;
        }

        if (answer.Status == HttpStatusCode.Unauthorized)
        {
            ConnectionEndpoints.SetHealth(db, connection, ConnectionHealth.Unauthorized,
                $"RMS refused the credentials on {function} (HTTP 401): {flow} is paused until the connection gets a valid license key.", clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            logger.LogWarning("RMS connection {Connection} ({Shop}) is Unauthorized; its {Flow} is paused", connection.Id, connection.ExternalId, flow);
        }
        else
        {
            logger.LogWarning("RMS {Function} for {Shop} answered {Answer}; retried later", function, connection.ExternalId, answer.Messages);
        }

        return false;
    }
}
