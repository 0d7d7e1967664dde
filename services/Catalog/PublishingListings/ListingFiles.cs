using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.BulkFiles;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Catalog.Pricing;
using Rakuten.Platform.Catalog.SyncingProducts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.PublishingListings;

/// <summary>The listings as a spreadsheet — every product on every connection with its state, reason and prices sent — and
/// the merchant's actions imported from it (an <c>action</c> column: publish, hide, unhide, withdraw; empty leaves the
/// listing as it is). Every row is checked (a refused product is named with its reason) before anything changes; all the
/// actions apply in one transaction or none.</summary>
public static class ListingFiles
{
    private static readonly string[] Exported =
        ["product_id", "product_title", "connection_id", "channel", "intent", "state", "error_code", "error_message", "channel_listing_id", "prices_sent"];

    public static void MapListingFiles(this RouteGroupBuilder catalog)
    {
        catalog.MapGet("/listings/export", async (Guid? connectionId, string? format, Caller caller, CatalogDbContext db, CancellationToken ct) =>
        {
            var kind = BulkFile.FormatOf(format);
            var listings = await db.Listings.AsNoTracking().Where(l => l.TenantId == caller.Tenant && (connectionId == null || l.ConnectionId == connectionId))
                .OrderBy(l => l.ProductId).ThenBy(l => l.ConnectionId).ToListAsync(ct);
            var titles = await db.Products.AsNoTracking().Where(p => p.TenantId == caller.Tenant).ToDictionaryAsync(p => p.ProductId, p => p.Title, ct);
            return BulkFile.Write("listings", kind, [.. Exported, "action"], listings.Select(l => (IReadOnlyList<string?>)
            [
                l.ProductId.ToString(), titles.GetValueOrDefault(l.ProductId), l.ConnectionId.ToString(), l.Channel, l.Intent.ToString(), l.State.ToString(),
                l.ErrorCode, l.ErrorMessage, l.ChannelListingId, l.PricesSent is null ? null
                    : string.Join("; ", JsonSerializer.Deserialize<List<PriceSent>>(l.PricesSent, PlatformJson.Options)!.Select(p => $"{p.Sku} {p.Price.Amount} {p.Price.Currency}")),
                null,
            ]));
        }).Produces<string>(StatusCodes.Status200OK, BulkFile.CsvType, BulkFile.XlsxType);

        catalog.MapPost("/listings/import", async (bool? dryRun, HttpRequest request, Caller caller, CatalogDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var rows = await BulkFile.ReadAsync(request, ["product_id", "connection_id", "action"], Exported.Except(["product_id", "connection_id"]).ToList(), ct);
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, $"catalog:{caller.Tenant}", ct);
            var (results, actions) = await PlanAsync(db, caller.Tenant, rows, ct);
            if (dryRun == true || results.Any(r => r.Outcome == RowOutcome.Error))
            {
                // Nothing of the check is kept (the verdicts may have refreshed matches in this unit of work).
                return BulkFile.Answer(results, dryRun == true, applied: false);
            }

            foreach (var (product, connection, action, intent, verdict) in actions)
            {
                await ListingEndpoints.TakeAsync(db, product, connection, action, intent, verdict, now, ct);
            }

            db.Audit(caller, "listing.import", "listings", now, detail: $"{actions.Count} action(s) from {rows.Count} row(s)");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return BulkFile.Answer(results, dryRun: false, applied: true);
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Accepts<IFormFile>(BulkFile.CsvType, BulkFile.XlsxType).Produces<ImportReport>();
    }

    private static async Task<(List<RowOutcome>, List<(CatalogProduct, ListingConnection, ListingAction, ListingIntent, ListingVerdict)>)> PlanAsync(
        CatalogDbContext db, Guid tenant, IReadOnlyList<BulkRow> rows, CancellationToken ct)
    {
        var parsed = new List<(BulkRow Row, Guid Product, Guid Connection, ListingAction Action)>();
        var results = new List<RowOutcome>();
        var seen = new Dictionary<(Guid, Guid), int>();
        foreach (var row in rows)
        {
            var errors = new List<CellError>();
            if (!Guid.TryParse(row["product_id"], out var product)) errors.Add(new CellError("product_id", "is not a product id (as the export gives it)"));
            if (!Guid.TryParse(row["connection_id"], out var connection)) errors.Add(new CellError("connection_id", "is not a connection id (as the export gives it)"));
            if (row["action"] is null && errors.Count == 0)
            {
                results.Add(new RowOutcome(row.Number, "unchanged", []));
                continue;
            }

            if (!Enum.TryParse<ListingAction>(row["action"], ignoreCase: true, out var action) || !Enum.IsDefined(action) || int.TryParse(row["action"], out _))
                errors.Add(new CellError("action", "must be publish, hide, unhide or withdraw (empty leaves the listing as it is)"));
            if (errors.Count == 0 && seen.TryGetValue((product, connection), out var first))
                errors.Add(new CellError("product_id", $"this product and connection are already on row {first}: one action per listing"));
            if (errors.Count > 0)
            {
                results.Add(RowOutcome.Refused(row.Number, [.. errors]));
                continue;
            }

            seen[(product, connection)] = row.Number;
            parsed.Add((row, product, connection, action));
        }

        var productIds = parsed.Select(p => p.Product).Distinct().ToList();
        var connectionIds = parsed.Select(p => p.Connection).Distinct().ToList();
        var products = await db.Products.Where(p => p.TenantId == tenant && productIds.Contains(p.ProductId)).ToDictionaryAsync(p => p.ProductId, ct);
        var connections = await db.ListingConnections.Where(c => c.TenantId == tenant && !c.Removed && connectionIds.Contains(c.ConnectionId)).ToDictionaryAsync(c => c.ConnectionId, ct);
        var publishable = (await ListingSync.PublishableConnectionsAsync(db, tenant, null, ct)).Select(c => c.ConnectionId).ToHashSet();
        var verdicts = await ListingSync.VerdictsAsync(db, tenant, products.Values.ToList(), connections.Values.ToList(), ct);
        var actions = new List<(CatalogProduct, ListingConnection, ListingAction, ListingIntent, ListingVerdict)>();
        foreach (var (row, productId, connectionId, action) in parsed)
        {
            var refusal = !products.TryGetValue(productId, out var product) ? new CellError("product_id", "is not a product of this catalog")
                : !connections.TryGetValue(connectionId, out var connection) ? new CellError("connection_id", "is not an active Rakuten connection")
                : !publishable.Contains(connectionId) ? new CellError("connection_id", "the inventory of the shop's existing items is not finished: nothing is published there before it")
                : ListingRules.OnMerchantAction(action, product.Deleted, verdicts[(productId, connectionId)].Reason) is { Intent: null } refused
                    ? new CellError("action", refused.Refusal!)
                    : null;
            if (refusal is not null)
            {
                results.Add(RowOutcome.Refused(row.Number, refusal));
                continue;
            }

            var intent = ListingRules.OnMerchantAction(action, products[productId].Deleted, verdicts[(productId, connectionId)].Reason).Intent!.Value;
            actions.Add((products[productId], connections[connectionId], action, intent, verdicts[(productId, connectionId)]));
            results.Add(new RowOutcome(row.Number, action.ToString().ToLowerInvariant(), []));
        }

        return (results, actions);
    }
}
