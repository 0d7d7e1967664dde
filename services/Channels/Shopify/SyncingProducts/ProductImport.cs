using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.Connecting;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;

namespace Rakuten.Platform.Channels.Shopify.SyncingProducts;

/// <summary>Imports every product of a store through paged GraphQL, inside Shopify's cost bucket: it reads
/// <c>extensions.cost.throttleStatus</c> after each page and waits for the bucket to refill before asking for
/// more than it holds; a THROTTLED answer (200 or 429) waits and asks again. Runs when a connection is added,
/// on request (<c>POST /channels/shopify/connections/{id}/import-products</c>, the manual resync), and every
/// <c>Platform:Shopify:ReconcileInterval</c> (1 h) as the reconciliation that finds what webhooks missed: changed
/// products come through the same staleness rule, and products no longer in Shopify are handed on as deleted.</summary>
public sealed class ProductImport(IServiceScopeFactory scopes, ShopifyAdminClient shopify, ShopCurrency currencies, TimeProvider clock, IConfiguration configuration,
    ILogger<ProductImport> logger)
    : BackgroundService, IConnectionAdded<ShopifyDbContext>
{
    private const int PageSize = 50;
    private const string Query = """
        query Products($after: String) {
          productsCount { count precision }
          products(first: 50, after: $after) {
            nodes { id title vendor productType tags descriptionHtml updatedAt options { name values } images(first: 20) { nodes { url } }
                    collections(first: 20) { nodes { handle } }
                    variants(first: 100) { nodes { id sku title price compareAtPrice barcode selectedOptions { name value }
                      metafields(first: 20, namespace: "rakuten") { nodes { namespace key value } }
                      inventoryItem { id inventoryLevels(first: 50) { nodes { location { id } quantities(names: ["available"]) { name quantity } } } } } } }
            pageInfo { hasNextPage endCursor }
          }
        }
        """;

    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>();

    // One import of a connection at a time: the import queued when a connection is added and a manual one started
    // meanwhile would stage the same new products in two units of work (a manual request answered 500 under load).
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _running = new();

    public void Added(ConnectionRecord connection) => _queue.Writer.TryWrite(connection.Id);

    private TimeSpan ReconcileInterval => configuration.GetValue("Platform:Shopify:ReconcileInterval", TimeSpan.FromHours(1));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RunQueueAsync(stoppingToken), ScheduleReconciliationsAsync(stoppingToken));

    private async Task ScheduleReconciliationsAsync(CancellationToken stoppingToken)
    {
        if (ReconcileInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(ReconcileInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
                foreach (var connection in (await db.Connections.AsNoTracking().Where(c => c.RemovedAt == null).ToListAsync(stoppingToken)).Where(c => !c.FlowsPaused))
                {
                    _queue.Writer.TryWrite(connection.Id);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not schedule the Shopify product reconciliation; next try in {Interval}", ReconcileInterval);
            }
        }
    }

    private async Task RunQueueAsync(CancellationToken stoppingToken)
    {
        await foreach (var connectionId in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await ImportAsync(connectionId, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Product import of Shopify connection {Connection} failed; resync it from the ops API", connectionId);
            }
        }
    }

    /// <summary>Reads every product of the store and hands on what changed. As a job (<paramref name="job"/>), each page
    /// commits with the job's progress and the cursor of the next page, and a resumed run goes on from that page.</summary>
    public async Task<ImportResult> ImportAsync(Guid connectionId, CancellationToken ct, JobRun? job = null)
    {
        var running = _running.GetOrAdd(connectionId, _ => new SemaphoreSlim(1, 1));
        await running.WaitAsync(ct);
        try
        {
            return await ImportOnceAsync(connectionId, job, ct);
        }
        finally
        {
            running.Release();
        }
    }

    private async Task<ImportResult> ImportOnceAsync(Guid connectionId, JobRun? job, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
        var connection = await db.Connections.FirstAsync(c => c.Id == connectionId && c.RemovedAt == null, ct);
        var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<ShopifyCredentials>(connection.ProtectedCredentials);
        // Each import reads the store's currency again: product prices carry it (a store can change it).
        var currency = await currencies.OfAsync(connection, credentials, refresh: true, ct);
        var resumed = job?.Checkpoint is { } checkpoint ? JsonSerializer.Deserialize<ImportCheckpoint>(checkpoint) : null;
        var after = resumed?.After;
        var handed = resumed?.Handed ?? 0;
        var startedAt = clock.GetUtcNow();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        double? available = null;
        double restoreRate = 50;
        while (true)
        {
            // A page costs about 2 + 50 points: wait until the bucket holds that much rather than be throttled (the
            // pipeline would wait out a THROTTLED answer too, one wasted call later).
            if (available is { } left && left < PageSize + 2)
            {
                await Task.Delay(TimeSpan.FromSeconds((PageSize + 2 - left) / restoreRate), clock, ct);
            }

            var body = await shopify.GraphQlAsync(connection, credentials, Query, new { after }, ct);
            var throttle = body["extensions"]?["cost"]?["throttleStatus"];
            available = throttle?["currentlyAvailable"]?.GetValue<double>();
            restoreRate = throttle?["restoreRate"]?.GetValue<double>() ?? restoreRate;
            if (body["data"]?["products"] is not JsonObject products)
            {
                throw new InvalidOperationException($"Shopify answered the products query without products: {body.ToJsonString()[..Math.Min(300, body.ToJsonString().Length)]}");
            }

            var now = clock.GetUtcNow();
            var nodes = (products["nodes"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            foreach (var node in nodes)
            {
                var product = ShopifyProduct.FromGraphQl(node);
                seen.Add(product.ExternalId);
                if (await ProductSync.StageAsync(db, connection, product, product.ExternalId, product.UpdatedAt, currency, now, ct))
                {
                    handed++;
                }

                // The stock levels read with the product are the truth at this moment: the initial import, and the
                // stock half of the reconciliation.
                foreach (var variant in product.Variants.Where(v => v.InventoryItemId is not null))
                {
                    foreach (var (location, quantity) in variant.Levels ?? [])
                    {
                        await SyncingStock.StockSync.StageAsync(db, connection, variant.InventoryItemId!, location, quantity, null, now, ct);
                    }
                }
            }

            // One page, one transaction: a failure later resumes with the pages not yet handed on.
            var more = products["pageInfo"]?["hasNextPage"]?.GetValue<bool>() == true;
            after = products["pageInfo"]?["endCursor"]?.GetValue<string>() ?? after;
            // Shopify counts exactly up to 10,000 (precision AT_LEAST beyond): a total only when it is exact.
            var count = body["data"]?["productsCount"];
            job?.Stage(db, done: nodes.Count, total: count?["precision"]?.GetValue<string>() == "EXACT" ? count["count"]?.GetValue<int>() : null,
                checkpoint: JsonSerializer.Serialize(new ImportCheckpoint(after, handed)));
            await db.SaveChangesAsync(ct);
            if (!more)
            {
                break;
            }
        }

        if (job is { Resumed: true })
        {
            // The pages read before the restart are not in `seen`: deletions are left to the next reconciliation.
            logger.LogInformation("Shopify connection {Connection}: {Count} product(s) imported (resumed)", connectionId, handed);
            return new ImportResult(job.Done, handed, Deleted: null);
        }

        // Known products the import no longer saw were deleted in Shopify without their webhook reaching us. One changed
        // since the import started (a webhook during it) is left alone: the import may simply have passed its page already.
        var vanished = await db.ProductVersions
            .Where(v => v.ConnectionId == connectionId && !v.Deleted && v.UpdatedAt < startedAt).Select(v => v.ExternalProductId).ToListAsync(ct);
        var deleted = 0;
        foreach (var externalId in vanished.Where(id => !seen.Contains(id)))
        {
            if (await ProductSync.StageAsync(db, connection, null, externalId, startedAt, currency, clock.GetUtcNow(), ct))
            {
                logger.LogInformation("Shopify product {Product} is gone from the store: handed on as deleted", externalId);
                handed++;
                deleted++;
            }
        }

        await db.SaveChangesAsync(ct);
        logger.LogInformation("Shopify connection {Connection}: {Count} product(s) imported", connectionId, handed);
        return new ImportResult(seen.Count, handed, deleted);
    }
}

/// <summary>What an import did: products read from Shopify, handed to the catalog (new or changed; deletions included), and
/// found deleted in Shopify (null when not checked: a resumed import leaves that to the next reconciliation).</summary>
public sealed record ImportResult(int Read, int Handed, int? Deleted);

/// <summary>Where a product import goes on: the cursor after the last page committed, and how many it had handed on.</summary>
internal sealed record ImportCheckpoint(string? After, int Handed);
