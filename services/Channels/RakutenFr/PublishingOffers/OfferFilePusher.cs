using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.Connecting;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenFr.PublishingOffers;

/// <summary>Sends each connection's pending offer changes as one stock file when the file quota allows (Rakuten:
/// at most 10 files an hour, spread evenly), then reads the import report back and settles every change it
/// carried: the listings they answer become Published, Hidden, Withdrawn or Failed with the per-SKU errors.
/// A crash after a file is sent but before it is recorded only sends those changes again in the next file.</summary>
public sealed class OfferFilePusher(
    IServiceScopeFactory scopes, RakutenFrStockClient stock, TimeProvider clock, IConfiguration configuration, ILogger<OfferFilePusher> logger)
    : BackgroundService
{
    private const int MaxLinesPerFile = 20_000;
    private readonly WakeSignal _wake = new();

    // The earliest moment a file held back by the quota may go (ticks of the UTC time; 0 when none waits): the
    // pusher wakes then rather than at its next check, so a change waits for the quota and nothing else.
    private long _heldUntil;

    private TimeSpan Interval => configuration.GetValue("Platform:RakutenFr:FileCheckInterval", TimeSpan.FromSeconds(5));

    public int FilesPerHour => configuration.GetValue("Platform:RakutenFr:StockFilesPerHour", 10);

    public void Wake() => _wake.Pulse();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Platform:RakutenFr:OfferPusherEnabled", true))
        {
            return;
        }

        await BackgroundRounds.RepeatAsync(PushAllAsync, ct => _wake.WaitAsync(NextWait(), ct), logger, "Rakuten France stock file", stoppingToken);
    }

    private TimeSpan NextWait()
    {
        var held = Interlocked.Read(ref _heldUntil);
        if (held == 0)
            return Interval;
        var untilDue = new DateTimeOffset(held, TimeSpan.Zero) - clock.GetUtcNow();
        return untilDue <= TimeSpan.Zero ? TimeSpan.Zero : untilDue < Interval ? untilDue : Interval;
    }

    public async Task PushAllAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref _heldUntil, 0);
        List<Guid> ids;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RakutenFrDbContext>();
            ids = await db.OfferChanges.Select(c => c.ConnectionId).Union(db.OfferImports.Where(i => !i.Done).Select(i => i.ConnectionId)).Distinct().ToListAsync(ct);
        }

        // A failed file leaves its changes queued: they go with the next round's.
        await BackgroundRounds.EachAsync(ids, PushConnectionAsync, logger, "Rakuten France stock file of connection", ct);
    }

    private async Task PushConnectionAsync(Guid connectionId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RakutenFrDbContext>();
        var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == connectionId, ct);
        if (connection is null || connection.RemovedAt is not null || connection.FlowsPaused)
        {
            return;
        }

        var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<RakutenFrCredentials>(connection.ProtectedCredentials);
        foreach (var open in await db.OfferImports.Where(i => i.ConnectionId == connectionId && !i.Done).OrderBy(i => i.SentAt).ToListAsync(ct))
        {
            var report = await stock.ReportAsync(connection, credentials, open.ImportId, ct);
            if (report.Finished)
            {
                await SettleAsync(db, connection, open, report, ct);
            }
        }

        if (!await db.OfferChanges.AnyAsync(c => c.ConnectionId == connectionId && c.ImportId == null, ct))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var recent = await db.OfferImports.Where(i => i.ConnectionId == connectionId && i.SentAt > now.AddHours(-1)).Select(i => i.SentAt).ToListAsync(ct);
        var nextFileAt = OfferRules.NextFileAt(recent, FilesPerHour, now);
        if (nextFileAt > now)
        {
            HoldUntil(nextFileAt);
            return; // the changes keep coalescing until the quota allows the next file
        }

        // The file is built, sent and its lines claimed under the connection's lock: a consumer updating a pending line
        // meanwhile would otherwise write a quantity the file does not carry into a line the report then settles (lost).
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockAsync(db, [connectionId], ct);
        var pending = await db.OfferChanges.Where(c => c.ConnectionId == connectionId && c.ImportId == null).OrderBy(c => c.QueuedAt).Take(MaxLinesPerFile).ToListAsync(ct);
        if (pending.Count == 0)
        {
            return; // another replica sent them while this one waited for the lock
        }

        using var span = Traces.StartLinked("rakuten-fr stock file", pending.Select(c => c.TraceParent),
            [new("platform.connection_id", connectionId.ToString()), new("platform.line_count", pending.Count)]);
        long importId;
        try
        {
            importId = await stock.ImportAsync(connection, credentials, OfferFile.Build(pending.Select(c => new OfferFile.Line(c.Sku, c.Price, c.Stock, c.Ean, c.Page()))), ct);
        }
        catch (RakutenFrException ex) when (ex.QuotaExceeded)
        {
            logger.LogWarning("Rakuten France refused a stock file for {Seller}: {Error}; the changes wait", connection.ExternalId, ex.Error.Message);
            return;
        }

        db.OfferImports.Add(new OfferImport { ImportId = importId, ConnectionId = connectionId, SentAt = now, Status = "Envoyé" });
        foreach (var change in pending)
        {
            change.ImportId = importId;
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Rakuten France stock file {Import} sent for {Seller}: {Lines} offers", importId, connection.ExternalId, pending.Count);
        Wake(); // read its report on the next round rather than a full interval later
    }

    /// <summary>Serialises, per connection, the writers of pending offer lines (the stock and listing consumers) with
    /// the building and claiming of a file.</summary>
    public static Task LockAsync(RakutenFrDbContext db, IEnumerable<Guid> connectionIds, CancellationToken ct) =>
        AdvisoryLock.AcquireAllAsync(db, connectionIds.Select(id => $"rakuten-fr-offers:{id}"), ct);

    private void HoldUntil(DateTimeOffset at)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref _heldUntil);
            if (seen != 0 && seen <= at.UtcTicks)
                return;
        }
        while (Interlocked.CompareExchange(ref _heldUntil, at.UtcTicks, seen) != seen);
    }

    private async Task SettleAsync(RakutenFrDbContext db, ConnectionRecord connection, OfferImport import, FrImportReport report, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var changes = await db.OfferChanges.Where(c => c.ConnectionId == connection.Id && c.ImportId == import.ImportId).ToListAsync(ct);
        var lines = report.Lines.GroupBy(l => l.Sku).ToDictionary(g => g.Key, g => g.Last());
        var failures = new List<string>();
        foreach (var change in changes)
        {
            if (!lines.TryGetValue(change.Sku, out var line))
                failures.Add($"SKU {change.Sku}: not in the import report (status {report.Status})");
            else if (!line.Ok)
                failures.Add($"SKU {change.Sku}: {string.Join(" ", line.Errors)}");
        }

        var skus = changes.Select(c => c.Sku).ToList();
        var adverts = await db.KnownOffers.AsNoTracking().Where(o => o.ConnectionId == connection.Id && skus.Contains(o.Sku)).ToDictionaryAsync(o => o.Sku, o => o.AdvertId, ct);
        foreach (var listing in changes.Where(c => c.ListingId is not null).GroupBy(c => (c.ListingId!.Value, c.ListingVersion!.Value, c.ProductId!.Value, c.Action, c.TenantId)))
        {
            var (listingId, version, productId, action, tenantId) = listing.Key;
            var errors = listing.Select(c => failures.FirstOrDefault(f => f.StartsWith($"SKU {c.Sku}:", StringComparison.Ordinal))).OfType<string>().ToList();
            object outcome = errors.Count > 0
                ? new ListingFailed(tenantId, connection.Id, listingId, productId, new ChannelError("IMPORT_REJECTED", string.Join("; ", errors)), false, version, now)
                : action == nameof(ListingAction.Withdraw)
                    ? new ListingWithdrawn(tenantId, connection.Id, listingId, productId, now)
                    : new ListingPublished(tenantId, connection.Id, listingId, productId,
                        string.Join(",", listing.Select(c => adverts.TryGetValue(c.Sku, out var a) ? a.ToString(System.Globalization.CultureInfo.InvariantCulture) : c.Sku)),
                        action == nameof(ListingAction.Hide), version, now);
            db.AddToOutbox(outcome);
        }

        // An advert the file created is an offer from now on: stock changes go to it before the next export says its advert id.
        var knownSkus = (await db.KnownOffers.Where(o => o.ConnectionId == connection.Id && skus.Contains(o.Sku)).Select(o => o.Sku).ToListAsync(ct)).ToHashSet();
        foreach (var created in changes.Where(c => c.Creates && lines.TryGetValue(c.Sku, out var line) && line.Ok && !knownSkus.Contains(c.Sku)))
        {
            db.KnownOffers.Add(new KnownOffer { ConnectionId = connection.Id, Sku = created.Sku, AdvertId = 0, Price = created.Price ?? 0, Stock = created.Stock ?? 0, RefreshedAt = now });
        }

        db.OfferChanges.RemoveRange(changes);
        import.Status = report.Status;
        import.Failures = JsonSerializer.Serialize(failures);
        import.Done = true;
        await db.SaveChangesAsync(ct);
        // A line Rakuten France took: its stock change (stock flow) or its listing (listing flow) is in, queued → settled.
        foreach (var change in changes.Where(c => lines.TryGetValue(c.Sku, out var line) && line.Ok))
        {
            PlatformDiagnostics.RecordSyncLag(nameof(Contracts.Channel.RakutenFr), change.ListingId is null ? "stock" : "listing", connection.Id, change.QueuedAt, now);
        }

        logger.LogInformation("Rakuten France stock file {Import} of {Seller}: {Status}, {Failed} of {Total} lines refused",
            import.ImportId, connection.ExternalId, report.Status, failures.Count, changes.Count);
    }
}
