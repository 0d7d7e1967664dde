using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.Connecting;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using static Rakuten.Platform.Channels.RakutenFr.RakutenFrApi.FrWebServices;

namespace Rakuten.Platform.Channels.RakutenFr.ImportingSales;

/// <summary>Per connection and round: (1) every new item (getnewsales) is accepted when the platform has stock for its
/// SKU, refused otherwise (or all accepted, if so configured) — the decision is recorded before the call, so a crash
/// repeats it rather than deciding twice; (2) the current sales (getcurrentsales, page by page with nexttoken) not yet
/// handed on go to the platform once, their units grouped into lines by SKU; (3) the items of imported sales are
/// followed: shipped, or cancelled by the buyer or Rakuten, is handed on as ChannelOrderStatusChanged.</summary>
public sealed class RakutenFrSalesPoller(
    IServiceScopeFactory scopes, RakutenFrSalesClient sales, TimeProvider clock, IConfiguration configuration, ILogger<RakutenFrSalesPoller> logger) : BackgroundService
{
    private static readonly string[] Followed = ["ACCEPTED", "SHIPPED"];

    private TimeSpan Interval => configuration.GetValue("Platform:RakutenFr:SalesPollInterval", TimeSpan.FromMinutes(1));

    /// <summary>Accept every sale regardless of stock (a merchant who sells made-to-order, say).</summary>
    private bool AcceptAll => configuration.GetValue("Platform:RakutenFr:AcceptAllSales", false);

    /// <summary>How long after its order was reserved an accepted unit still counts against the quantity: the stock change
    /// that shows the reservation travels after it.</summary>
    private TimeSpan Settle => configuration.GetValue("Platform:RakutenFr:SaleSettleTime", TimeSpan.FromSeconds(10));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Platform:RakutenFr:SalesPollerEnabled", true))
        {
            return;
        }

        await BackgroundRounds.RepeatAsync(PollAllAsync, ct => Task.Delay(Interval, ct), logger, "Rakuten France sales poll", stoppingToken);
    }

    public async Task PollAllAsync(CancellationToken ct)
    {
        List<Guid> ids;
        await using (var scope = scopes.CreateAsyncScope())
        {
            ids = await scope.ServiceProvider.GetRequiredService<RakutenFrDbContext>().ActiveConnectionIdsAsync(ct);
        }

        // Everything decided for a seller is on disk before its next step: one that fails resumes next round.
        await BackgroundRounds.EachAsync(ids, PollConnectionAsync, logger, "Rakuten France sales poll of connection", ct);
    }

    private async Task PollConnectionAsync(Guid connectionId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RakutenFrDbContext>();
        var connection = await db.Connections.FirstAsync(c => c.Id == connectionId, ct);
        var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<RakutenFrCredentials>(connection.ProtectedCredentials);
        await DecideNewAsync(db, connection, credentials, ct);
        var seen = await ImportCurrentAsync(db, connection, credentials, ct);
        await FollowAsync(db, connection, credentials, seen, ct);
    }

    private async Task DecideNewAsync(RakutenFrDbContext db, ConnectionRecord connection, RakutenFrCredentials credentials, CancellationToken ct)
    {
        foreach (var sale in await sales.NewSalesAsync(connection, credentials, ct))
        {
            var purchaseId = RakutenFrSalesClient.Long(sale, "purchaseid");
            foreach (var item in (Element(sale, "items")?.Elements() ?? []).Where(e => e.Name.LocalName == "item" && Child(e, "itemstatus") == "TO_CONFIRM"))
            {
                var itemId = RakutenFrSalesClient.Long(item, "itemid");
                var row = await db.SaleItems.FirstOrDefaultAsync(i => i.ConnectionId == connection.Id && i.ItemId == itemId, ct)
                          ?? await DecideAsync(db, connection.Id, purchaseId, itemId, Child(item, "sku"), ct);
                try
                {
                    if (row.Decision == SaleRules.Accepted) await sales.AcceptAsync(connection, credentials, itemId, ct);
                    else await sales.RefuseAsync(connection, credentials, itemId, ct);
                    row.Status = row.Decision == SaleRules.Accepted ? "ACCEPTED" : "REFUSED";
                }
                catch (RakutenFrException ex) when (ex.Error.Code == "ParameterError")
                {
                    // Already decided at Rakuten (the call went through before a crash, or the seller answered in Rakuten's back office).
                    row.Status = await sales.ItemStatusAsync(connection, credentials, itemId, ct);
                }

                await db.SaveChangesAsync(ct);
                logger.LogInformation("Rakuten France item {Item} (sale {Purchase}, SKU {Sku}): {Decision} {Reason}", itemId, purchaseId, row.Sku, row.Decision, row.Reason);
            }
        }
    }

    /// <summary>Decides and commits before any call. Decisions for one connection are serialised, so two pollers (or
    /// two replicas) cannot both take the last unit.</summary>
    private async Task<SaleItem> DecideAsync(RakutenFrDbContext db, Guid connectionId, long purchaseId, long itemId, string sku, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AdvisoryLock.AcquireAsync(db, $"rakuten-fr-sales:{connectionId}", ct);
        if (await db.SaleItems.FirstOrDefaultAsync(i => i.ConnectionId == connectionId && i.ItemId == itemId, ct) is { } decided)
        {
            return decided; // the other poller decided it a moment ago
        }

        var now = clock.GetUtcNow();
        var quantity = (await db.Quantities.AsNoTracking().FirstOrDefaultAsync(q => q.ConnectionId == connectionId && q.Sku == sku, ct))?.Quantity;
        var settledBefore = now - Settle;
        var pending = await db.SaleItems.CountAsync(i => i.ConnectionId == connectionId && i.Sku == sku && i.Decision == SaleRules.Accepted
                                                         && i.Status != "CANCELLED" && (i.SettledAt == null || i.SettledAt > settledBefore), ct);
        var (decision, reason) = SaleRules.Decide(AcceptAll, sku, quantity, pending);
        var row = new SaleItem
        {
            ConnectionId = connectionId, ItemId = itemId, PurchaseId = purchaseId, Sku = sku, Decision = decision, Reason = reason, Status = "TO_CONFIRM", DecidedAt = now,
        };
        db.SaleItems.Add(row);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>Hands on each current sale not yet imported; returns every current item's status by item id.</summary>
    private async Task<Dictionary<long, string>> ImportCurrentAsync(RakutenFrDbContext db, ConnectionRecord connection, RakutenFrCredentials credentials, CancellationToken ct)
    {
        var seen = new Dictionary<long, string>();
        var token = "";
        do
        {
            var (page, next) = await sales.CurrentSalesAsync(connection, credentials, token, ct);
            var ids = page.Select(s => RakutenFrSalesClient.Long(s, "purchaseid")).ToList();
            var imported = (await db.ImportedSales.AsNoTracking().Where(s => s.ConnectionId == connection.Id && ids.Contains(s.PurchaseId))
                .Select(s => s.PurchaseId).ToListAsync(ct)).ToHashSet();
            var undecided = (await db.SaleItems.AsNoTracking().Where(i => i.ConnectionId == connection.Id && ids.Contains(i.PurchaseId) && i.Status == "TO_CONFIRM")
                .Select(i => i.PurchaseId).ToListAsync(ct)).ToHashSet();
            foreach (var sale in page)
            {
                var purchaseId = RakutenFrSalesClient.Long(sale, "purchaseid");
                var items = (Element(sale, "items")?.Elements() ?? []).Where(e => e.Name.LocalName == "item").ToList();
                foreach (var item in items)
                {
                    seen[RakutenFrSalesClient.Long(item, "itemid")] = Child(item, "itemstatus");
                }

                // A sale with an item still being decided waits: it is imported whole, once.
                if (!imported.Contains(purchaseId) && !undecided.Contains(purchaseId))
                {
                    await ImportAsync(db, connection, credentials, sale, purchaseId, items, ct);
                }
            }

            token = next;
        }
        while (token.Length > 0);

        return seen;
    }

    private async Task ImportAsync(RakutenFrDbContext db, ConnectionRecord connection, RakutenFrCredentials credentials, XElement sale, long purchaseId, List<XElement> items, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var live = items.Where(i => Followed.Contains(Child(i, "itemstatus"))).ToList();
        if (live.Count == 0)
        {
            return;
        }

        var known = (await db.SaleItems.AsNoTracking().Where(i => i.ConnectionId == connection.Id && i.PurchaseId == purchaseId).Select(i => i.ItemId).ToListAsync(ct)).ToHashSet();
        foreach (var item in live.Where(i => !known.Contains(RakutenFrSalesClient.Long(i, "itemid"))))
        {
            // Accepted without the platform (in Rakuten's back office, or before the connection): imported all the same.
            db.SaleItems.Add(new SaleItem
            {
                ConnectionId = connection.Id, ItemId = RakutenFrSalesClient.Long(item, "itemid"), PurchaseId = purchaseId, Sku = Child(item, "sku"),
                Decision = SaleRules.Accepted, Reason = "accepted on Rakuten France", Status = Child(item, "itemstatus"), DecidedAt = now,
            });
        }

        ChannelOrder? order = null;
        string? parseError = null;
        try
        {
            order = FrSaleMapping.ToChannelOrder(sale, i => Followed.Contains(Child(i, "itemstatus")));
            // The shipping the buyer paid is only in the billing information: one call per sale, once, at its import.
            order = FrSaleMapping.WithBilling(order, await sales.BillingAsync(connection, credentials, purchaseId, ct));
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or OverflowException)
        {
            parseError = $"{ex.GetType().Name}: {ex.Message}"; // held with its error, not dropped
        }

        db.ImportedSales.Add(new ImportedSale { ConnectionId = connection.Id, PurchaseId = purchaseId, ImportedAt = now });
        db.AddToOutbox(new ChannelOrderReceived(connection.TenantId, connection.Id, Channel.RakutenFr, purchaseId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "ACCEPTED", order, parseError, now));
        try
        {
            await db.SaveChangesAsync(ct);
            logger.LogInformation("Rakuten France sale {Purchase} received ({Units} unit(s))", purchaseId, live.Count);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex, "imported_sales") || DatabaseErrors.IsUniqueViolation(ex, "sale_items"))
        {
            // Another poller imported it a moment ago.
            foreach (var entry in db.ChangeTracker.Entries().Where(e => e is { State: EntityState.Added, Entity: ImportedSale or SaleItem or OutboxMessage }).ToList())
            {
                entry.State = EntityState.Detached;
            }
        }
    }

    /// <summary>Items of imported sales that moved (shipped, cancelled): handed on per sale. An item gone from the current
    /// sales is asked about directly.</summary>
    private async Task FollowAsync(RakutenFrDbContext db, ConnectionRecord connection, RakutenFrCredentials credentials, Dictionary<long, string> seen, CancellationToken ct)
    {
        // Received, cancelled and refused items are finished; accepted and shipped ones can still move.
        var followed = await db.SaleItems.Where(i => i.ConnectionId == connection.Id && i.Decision == SaleRules.Accepted && Followed.Contains(i.Status)
                                                     && db.ImportedSales.Any(s => s.ConnectionId == i.ConnectionId && s.PurchaseId == i.PurchaseId)).ToListAsync(ct);
        var changed = new List<SaleItem>();
        foreach (var item in followed)
        {
            var status = seen.TryGetValue(item.ItemId, out var s) ? s : await sales.ItemStatusAsync(connection, credentials, item.ItemId, ct);
            if (status.Length > 0 && status != item.Status)
            {
                item.Status = status;
                changed.Add(item);
            }
        }

        var now = clock.GetUtcNow();
        foreach (var sale in changed.GroupBy(i => i.PurchaseId))
        {
            // Tracked rows come back as they are in memory: the statuses just changed count.
            var current = (await db.SaleItems.Where(i => i.ConnectionId == connection.Id && i.PurchaseId == sale.Key && i.Decision == SaleRules.Accepted)
                .ToListAsync(ct)).Select(i => i.Status).ToList();
            var summary = SaleRules.Summary(current);
            var cancelled = sale.Where(i => i.Status == "CANCELLED").Select(i => i.ItemId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var (status, ids) = cancelled.Count > 0 && summary != "CANCELLED"
                ? ("PARTIALLY_CANCELLED", cancelled)
                : (summary, sale.Select(i => i.ItemId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList());
            db.AddToOutbox(new ChannelOrderStatusChanged(connection.TenantId, connection.Id, Channel.RakutenFr,
                sale.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), status, ids, now));
            logger.LogInformation("Rakuten France sale {Purchase}: {Status}", sale.Key, status);
        }

        await db.SaveChangesAsync(ct);
    }
}
