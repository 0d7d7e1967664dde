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

/// <summary>Finds new RMS orders per connection (searchOrder by order date, statuses 100 and 300, then getOrder
/// in batches of 100) and hands each to the platform once as ChannelOrderReceived. Its position per connection
/// is stored, so a restart, a maintenance window (503) or a paused connection (401) resumes where it stopped:
/// the window is searched again from there, and (connection, order number) keeps every order to one import. Once a day
/// the last five days are searched again (the catch-up).</summary>
public sealed class RmsOrderPoller(
    IServiceScopeFactory scopes, RmsOrderClient rms, ConfirmingOrders.OrderConfirmer confirmer, TimeProvider clock, IConfiguration configuration,
    ILogger<RmsOrderPoller> logger)
    : BackgroundService
{
    // RMS: a search window spans at most 63 days (a minute less here: the end is rounded up to the second),
    // and matches past the 15,000th cannot be retrieved.
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(63) - TimeSpan.FromMinutes(1);
    private const int RetrievableMatches = 15_000;
    private static readonly int[] NewOrderProgresses = [100, 300];

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
        var from = cursor.PolledUntil.AddMinutes(-5);
        while (from < now)
        {
            var to = from + MaxWindow < now ? from + MaxWindow : now;
            if (!await ImportWindowAsync(db, connection, credentials, from, to, ct))
            {
                return; // the cursor stays: the next round searches this window again
            }

            cursor.PolledUntil = to;
            await db.SaveChangesAsync(ct);
            from = to;
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
            if (!await ImportWindowAsync(db, connection, credentials, now - CatchUpWindow, now, ct))
            {
                return;
            }

            catchUp.CaughtUpAt = now;
            await db.SaveChangesAsync(ct);
            logger.LogInformation("RMS daily catch-up of {Shop} searched the last {Days} days", connection.ExternalId, CatchUpWindow.TotalDays);
        }

        await confirmer.ConfirmPendingAsync(db, connection, credentials, ct);
    }

    private async Task<bool> ImportWindowAsync(RakutenJpDbContext db, ConnectionRecord connection, RmsCredentials credentials,
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        logger.LogDebug("Searching RMS orders of {Shop} placed {From:O} … {To:O}", connection.ExternalId, from, to);
        var numbers = new List<string>();
        for (var page = 1; ; page++)
        {
            var answer = await rms.SearchOrderAsync(connection.Id, connection.BaseUrl, credentials, from, to, page, NewOrderProgresses, ct);
            if (!await AcceptAsync(db, connection, answer, "searchOrder", ct))
            {
                return false;
            }

            var paging = answer.Body!["PaginationResponseModel"];
            var total = paging?["totalRecordsAmount"]?.GetValue<int>() ?? 0;
            if (total > RetrievableMatches && to - from > TimeSpan.FromMinutes(2))
            {
                // Too many matches to retrieve: search the two halves instead.
                var middle = from + (to - from) / 2;
                return await ImportWindowAsync(db, connection, credentials, from, middle, ct)
                       && await ImportWindowAsync(db, connection, credentials, middle, to, ct);
            }

            numbers.AddRange((answer.Body["orderNumberList"] as JsonArray ?? []).Select(n => n!.GetValue<string>()));
            if (page >= (paging?["totalPages"]?.GetValue<int>() ?? 0))
            {
                break;
            }
        }

        if (!await CheckShopAsync(db, connection, numbers, ct))
        {
            return false;
        }

        var known = (await db.ImportedOrders.AsNoTracking().Where(i => i.ConnectionId == connection.Id && numbers.Contains(i.OrderNumber))
            .Select(i => i.OrderNumber).ToListAsync(ct)).ToHashSet();
        var batches = numbers.Where(n => !known.Contains(n)).Distinct().Chunk(100).ToList();
        // The next batch is asked for while this one is saved: a backfill of thousands waited on each in turn. The
        // client still spaces the calls per shop, so the prefetch never goes faster than the Order API allows.
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task<RmsAnswer>? next = batches.Count > 0 ? rms.GetOrderAsync(connection.Id, connection.BaseUrl, credentials, batches[0], abandon.Token) : null;
        try
        {
            for (var i = 0; i < batches.Count; i++)
            {
                var current = next!;
                next = null; // from here on its outcome is this loop's, not the prefetch's
                var answer = await current;
                next = i + 1 < batches.Count ? rms.GetOrderAsync(connection.Id, connection.BaseUrl, credentials, batches[i + 1], abandon.Token) : null;
                if (!await AcceptAsync(db, connection, answer, "getOrder", ct))
                {
                    return false;
                }

                await ImportAsync(db, connection, (answer.Body!["OrderModelList"] as JsonArray ?? []).OfType<JsonObject>().ToList(), ct);
            }

            return true;
        }
        finally
        {
            // A batch asked for and not imported (RMS refused the one before it, or the import failed) is asked for again
            // next round: nothing of it was kept.
            if (next is not null)
            {
                await abandon.CancelAsync();
                await next.ContinueWith(t => logger.LogDebug(t.Exception, "Prefetched getOrder batch of {Shop} dropped ({Status})", connection.ExternalId, t.Status),
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Keeps in <paramref name="numbers"/> only the orders of the connection's own shop (by the shop number that
    /// prefixes each), learning that number from the first orders when the connection does not know it yet. False (and the
    /// connection paused) when the shop turns out to back another live connection already: its orders are imported
    /// there, and importing them here too would make each one twice.</summary>
    private async Task<bool> CheckShopAsync(RakutenJpDbContext db, ConnectionRecord connection, List<string> numbers, CancellationToken ct)
    {
        var verdict = ShopNumbers.Decide(connection.AccountNumber, numbers);
        foreach (var number in verdict.Refused)
        {
            logger.LogWarning("RMS answered order {Order} of another shop to connection {Connection} of shop {Shop} ({Number}): not imported",
                number, connection.Id, connection.ExternalId, connection.AccountNumber ?? verdict.Learned);
        }

        numbers.RemoveAll(verdict.Refused.Contains);
        if (verdict.Learned is not { } learned)
        {
            return true;
        }

        var taken = await db.Connections.AnyAsync(c => c.Id != connection.Id && c.Channel == connection.Channel && c.RemovedAt == null && c.AccountNumber == learned, ct);
        if (!taken)
        {
            connection.AccountNumber = learned;
            try
            {
                await db.SaveChangesAsync(ct);
                logger.LogInformation("RMS connection {Connection} ({Shop}) is shop number {Number}", connection.Id, connection.ExternalId, learned);
                return true;
            }
            catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
            {
                db.Entry(connection).Property(c => c.AccountNumber).CurrentValue = null;
                db.Entry(connection).Property(c => c.AccountNumber).IsModified = false;
            }
        }

        ConnectionEndpoints.SetHealth(db, connection, ConnectionHealth.Unauthorized,
            $"This RMS shop (shop number {learned}) already backs another connection on the platform, which imports its orders: " +
            "one shop, one connection. Remove this connection (or the other one).", clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        logger.LogWarning("RMS connection {Connection} ({Shop}) is shop number {Number}, which another connection already backs: paused", connection.Id, connection.ExternalId, learned);
        return false;
    }

    /// <summary>A getOrder batch, each order once: its import mark and its ChannelOrderReceived commit together — the
    /// whole batch in one transaction; if another poller imported one of them meanwhile, order by order instead.</summary>
    private async Task ImportAsync(RakutenJpDbContext db, ConnectionRecord connection, IReadOnlyList<JsonObject> orders, CancellationToken ct)
    {
        // getOrder names each order again: one that is not this shop's is refused here too, whatever search said.
        var refused = connection.AccountNumber is null
            ? []
            : ShopNumbers.Decide(connection.AccountNumber, orders.Select(o => o["orderNumber"]?.GetValue<string>() ?? "").ToList()).Refused.ToHashSet();
        foreach (var number in refused)
        {
            logger.LogWarning("RMS getOrder answered order {Order} of another shop to connection {Connection} (shop number {Number}): not imported",
                number, connection.Id, connection.AccountNumber);
        }

        orders = orders.Where(o => !refused.Contains(o["orderNumber"]?.GetValue<string>() ?? "")).ToList();
        var adopted = await AdoptedAsync(db, connection.Id, ct);
        var confirmOn = await ConfirmingOrders.OrderSettingsEndpoints.ConfirmOnAsync(db, connection.Id, ct);
        foreach (var order in orders)
        {
            Stage(db, connection, order, adopted, confirmOn);
        }

        if (!await SaveAsync(db, ct))
        {
            foreach (var order in orders)
            {
                Stage(db, connection, order, adopted, confirmOn);
                await SaveAsync(db, ct);
            }
        }

        logger.LogInformation("{Count} RMS order(s) of {Shop} received", orders.Count, connection.ExternalId);
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

    /// <param name="confirmOn">The connection's <see cref="ConfirmingOrders.ConfirmOn"/>.</param>
    private void Stage(RakutenJpDbContext db, ConnectionRecord connection, JsonObject order, AdoptedRmsItems adopted, string confirmOn)
    {
        var number = order["orderNumber"]!.GetValue<string>();
        // Each order found starts its own trace (linked to the poll that found it): one order, one trace.
        using var found = Traces.StartRoot("rms order received", tags: [new("platform.channel_order_id", number), new("platform.connection_id", connection.Id)]);
        var progress = order["orderProgress"]?.GetValue<int>() ?? 0;
        var (mapped, parseError) = Map(order, adopted);
        var now = clock.GetUtcNow();
        db.ImportedOrders.Add(new ImportedOrder { ConnectionId = connection.Id, OrderNumber = number, OrderProgress = progress, ImportedAt = now });
        db.OrderFingerprints.Add(new OrderFingerprint { ConnectionId = connection.Id, OrderNumber = number, Fingerprint = RmsOrderMapping.Fingerprint(mapped, parseError) });
        // Only orders the platform will fulfil are confirmed: one with a line the merchant manages in RMS is theirs to confirm.
        // By default it waits for the order to reach Shopify: a held order must not show as confirmed in RMS.
        if (progress == 100 && mapped is not null && mapped.Lines.All(l => l.Managed == true) && confirmOn != ConfirmingOrders.ConfirmOn.Never)
        {
            db.OrderConfirmations.Add(new OrderConfirmation
            {
                ConnectionId = connection.Id, OrderNumber = number, WaitsForExport = confirmOn == ConfirmingOrders.ConfirmOn.Exported,
            });
        }

        db.AddToOutbox(new ChannelOrderReceived(connection.TenantId, connection.Id, Channel.RakutenJp, number,
            progress.ToString(System.Globalization.CultureInfo.InvariantCulture), mapped, parseError, now));
    }

    /// <summary>Saves the staged orders; false (and nothing staged left) when another poller imported one of them first.
    /// Saved rows are let go: a backfill of thousands of orders must not slow every later save.</summary>
    private static async Task<bool> SaveAsync(RakutenJpDbContext db, CancellationToken ct)
    {
        bool Staged(EntityEntry e) => e.Entity is ImportedOrder or OutboxMessage or OrderConfirmation or OrderFingerprint;
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex, "imported_orders"))
        {
            foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added && Staged(e)).ToList())
            {
                entry.State = EntityState.Detached;
            }

            return false;
        }
        finally
        {
            foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Unchanged && Staged(e)).ToList())
            {
                entry.State = EntityState.Detached;
            }
        }
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

    private Task<bool> AcceptAsync(RakutenJpDbContext db, ConnectionRecord connection, RmsAnswer answer, string function, CancellationToken ct) =>
        AcceptAsync(db, connection, answer, function, "order import", clock, logger, ct);

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
