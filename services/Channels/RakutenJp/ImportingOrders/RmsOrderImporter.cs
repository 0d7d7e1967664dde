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

/// <summary>What an order sync learns from a window as it goes, staged in the transaction of the work it counts.</summary>
public interface IOrderImportObserver
{
    /// <summary>The window's order numbers of the connection's shop, and which of them were imported before.</summary>
    Task FoundAsync(RakutenJpDbContext db, IReadOnlyList<string> numbers, IReadOnlySet<string> known, CancellationToken ct);

    /// <summary>These orders are staged for import; they commit with whatever this stages.</summary>
    void Staged(RakutenJpDbContext db, IReadOnlyList<JsonObject> orders);
}

/// <summary>Imports the RMS orders of one search window, every order progress (new orders, and the history a backfill or a
/// sync finds: shipped, paid, cancelled): searchOrder by the given date type, then getOrder in batches of 100 for the numbers
/// not imported yet, each order handed to the platform once as ChannelOrderReceived. Shared by the poller and the order sync.</summary>
public sealed class RmsOrderImporter(RmsOrderClient rms, TimeProvider clock, ILogger<RmsOrderImporter> logger)
{
    // RMS: a search window spans at most 63 days (a minute less here: the end is rounded up to the second),
    // and matches past the 15,000th cannot be retrieved.
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(63) - TimeSpan.FromMinutes(1);
    private const int RetrievableMatches = 15_000;

    /// <summary>Every order progress RMS has (reference §3.4): a backfill reads the whole history, not only new orders.</summary>
    public static readonly int[] EveryProgress = [100, 200, 300, 400, 500, 600, 700, 800, 900];

    /// <summary>The windows of at most 63 days that cover <paramref name="from"/> … <paramref name="to"/>.</summary>
    public static IEnumerable<(DateTimeOffset From, DateTimeOffset To)> Windows(DateTimeOffset from, DateTimeOffset to)
    {
        while (from < to)
        {
            var end = from + MaxWindow < to ? from + MaxWindow : to;
            yield return (from, end);
            from = end;
        }
    }

    /// <summary>Imports the window's orders; false when RMS did not answer (nothing of the rest of the window is kept: it is searched again).</summary>
    public async Task<bool> ImportWindowAsync(RakutenJpDbContext db, ConnectionRecord connection, RmsCredentials credentials,
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct, int dateType = 1, IOrderImportObserver? observer = null)
    {
        logger.LogDebug("Searching RMS orders of {Shop} by date type {DateType} {From:O} … {To:O}", connection.ExternalId, dateType, from, to);
        var numbers = new List<string>();
        for (var page = 1; ; page++)
        {
            var answer = await rms.SearchOrderAsync(connection.Id, connection.BaseUrl, credentials, from, to, page, EveryProgress, ct, dateType: dateType);
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
                return await ImportWindowAsync(db, connection, credentials, from, middle, ct, dateType, observer)
                       && await ImportWindowAsync(db, connection, credentials, middle, to, ct, dateType, observer);
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

        numbers = numbers.Distinct().ToList();
        var known = (await db.ImportedOrders.AsNoTracking().Where(i => i.ConnectionId == connection.Id && numbers.Contains(i.OrderNumber))
            .Select(i => i.OrderNumber).ToListAsync(ct)).ToHashSet();
        if (observer is not null)
        {
            await observer.FoundAsync(db, numbers, known, ct);
        }

        var batches = numbers.Where(n => !known.Contains(n)).Chunk(100).ToList();
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

                await ImportAsync(db, connection, (answer.Body!["OrderModelList"] as JsonArray ?? []).OfType<JsonObject>().ToList(), observer, ct);
            }

            if (batches.Count == 0 && observer is not null)
            {
                await db.SaveChangesAsync(ct); // what the observer counted of a window with nothing new
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
    private async Task ImportAsync(RakutenJpDbContext db, ConnectionRecord connection, IReadOnlyList<JsonObject> orders, IOrderImportObserver? observer, CancellationToken ct)
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
        var adopted = await RmsOrderPoller.AdoptedAsync(db, connection.Id, ct);
        var confirmOn = await ConfirmingOrders.OrderSettingsEndpoints.ConfirmOnAsync(db, connection.Id, ct);
        foreach (var order in orders)
        {
            Stage(db, connection, order, adopted, confirmOn);
        }

        observer?.Staged(db, orders);
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

    /// <param name="confirmOn">The connection's <see cref="ConfirmingOrders.ConfirmOn"/>.</param>
    private void Stage(RakutenJpDbContext db, ConnectionRecord connection, JsonObject order, AdoptedRmsItems adopted, string confirmOn)
    {
        var number = order["orderNumber"]!.GetValue<string>();
        // Each order found starts its own trace (linked to the poll that found it): one order, one trace.
        using var found = Traces.StartRoot("rms order received", tags: [new("platform.channel_order_id", number), new("platform.connection_id", connection.Id)]);
        var progress = order["orderProgress"]?.GetValue<int>() ?? 0;
        var (mapped, parseError) = RmsOrderPoller.Map(order, adopted);
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

    private Task<bool> AcceptAsync(RakutenJpDbContext db, ConnectionRecord connection, RmsAnswer answer, string function, CancellationToken ct) =>
        RmsOrderPoller.AcceptAsync(db, connection, answer, function, "order import", clock, logger, ct);
}
