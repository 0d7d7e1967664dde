using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.BulkFiles;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Catalog.Onboarding;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Catalog.Pricing;

/// <summary>A connection's fixed prices as a spreadsheet: exported, and imported with a dry run — a row per SKU (an empty
/// price removes the SKU's fixed price), every row checked before anything changes, all applied in one transaction or none.</summary>
public static class FixedPriceFiles
{
    private static readonly string[] Required = ["sku", "price"];
    private static readonly string[] Optional = ["compare_at_price", "currency"];

    public static void MapFixedPriceFiles(this RouteGroupBuilder prices)
    {
        prices.MapGet("/fixed-prices/export", async (Guid connectionId, string? format, Caller caller, CatalogDbContext db, CancellationToken ct) =>
        {
            var kind = BulkFile.FormatOf(format);
            await OnboardingEndpoints.ConnectionAsync(db, caller, connectionId, ct);
            var rows = await db.FixedPrices.AsNoTracking().Where(f => f.ConnectionId == connectionId).OrderBy(f => f.Sku).ToListAsync(ct);
            return BulkFile.Write($"fixed-prices-{connectionId}", kind, [.. Required, .. Optional],
                rows.Select(f => (IReadOnlyList<string?>)[f.Sku, Invariant(f.Amount), f.CompareAt is { } c ? Invariant(c) : null, f.Currency]));
        }).Produces<string>(StatusCodes.Status200OK, BulkFile.CsvType, BulkFile.XlsxType);

        prices.MapPost("/fixed-prices/import", async (Guid connectionId, bool? dryRun, HttpRequest request, Caller caller, CatalogDbContext db, TimeProvider clock,
            CancellationToken ct) =>
        {
            var connection = await OnboardingEndpoints.ConnectionAsync(db, caller, connectionId, ct);
            var rows = await BulkFile.ReadAsync(request, Required, Optional, ct);
            var existing = await db.FixedPrices.AsNoTracking().Where(f => f.ConnectionId == connectionId).ToDictionaryAsync(f => f.Sku, ct);
            var (results, set, removed) = Plan(connection.Channel, rows, existing);
            var valid = results.All(r => r.Outcome != RowOutcome.Error);
            if (dryRun == true || !valid)
            {
                return BulkFile.Answer(results, dryRun == true, applied: false);
            }

            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, $"catalog:{caller.Tenant}", ct);
            await FixedPriceRules.SetAsync(db, caller, connectionId, set, now, ct);
            await db.FixedPrices.Where(f => f.ConnectionId == connectionId && removed.Contains(f.Sku)).ExecuteDeleteAsync(ct);
            db.Audit(caller, "prices.fixed.import", $"connection/{connectionId}", now, detail: $"{set.Count} set, {removed.Count} removed, {rows.Count} row(s)");
            await db.SaveChangesAsync(ct); // the price book is read back by the repricing
            await PriceEndpoints.RepriceSkusAsync(db, caller.Tenant, connectionId, [.. set.Select(s => s.Sku), .. removed], now, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return BulkFile.Answer(results, dryRun: false, applied: true);
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Accepts<IFormFile>(BulkFile.CsvType, BulkFile.XlsxType).Produces<ImportReport>();
    }

    /// <summary>Each row's outcome (create, update, remove, unchanged, or error naming the column), and what applying them does.</summary>
    public static (List<RowOutcome> Results, List<FixedPrice> Set, List<string> Removed) Plan(string channel, IReadOnlyList<BulkRow> rows,
        IReadOnlyDictionary<string, FixedPriceRow> existing)
    {
        var results = new List<RowOutcome>();
        var set = new List<FixedPrice>();
        var removed = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var currency = FixedPriceRules.CurrencyOf(channel);
        foreach (var row in rows)
        {
            var errors = new List<CellError>();
            var sku = row["sku"];
            var price = BulkFile.Decimal(row, "price", errors);
            var compareAt = BulkFile.Decimal(row, "compare_at_price", errors);
            if (sku is not null && seen.TryGetValue(sku, out var first))
            {
                errors.Add(new CellError("sku", $"{sku} is already on row {first}: give each SKU once"));
            }
            else if (sku is not null)
            {
                seen[sku] = row.Number;
            }

            if (price is null && row["price"] is null && errors.Count == 0 && sku is not null)
            {
                // An empty price: the SKU follows the rule again.
                var outcome = existing.ContainsKey(sku) ? "remove" : "unchanged";
                if (outcome == "remove") removed.Add(sku);
                results.Add(new RowOutcome(row.Number, outcome, []));
                continue;
            }

            var input = new FixedPriceInput(price, compareAt, row["currency"] ?? currency);
            foreach (var (field, rules) in FixedPriceRules.Check(channel, sku, input))
            {
                if (errors.All(e => e.Column != ColumnOf(field)))
                {
                    errors.Add(new CellError(ColumnOf(field), string.Join("; ", rules)));
                }
            }

            if (errors.Count > 0)
            {
                results.Add(new RowOutcome(row.Number, RowOutcome.Error, errors));
                continue;
            }

            var fixedPrice = new FixedPrice(sku!, new Money(price!.Value, input.Currency!), compareAt is { } c ? new Money(c, input.Currency!) : null);
            var known = existing.GetValueOrDefault(sku!);
            results.Add(new RowOutcome(row.Number,
                known is null ? "create" : known.Amount == price && known.CompareAt == compareAt && known.Currency == input.Currency ? "unchanged" : "update", []));
            if (known is null || results[^1].Outcome == "update")
            {
                set.Add(fixedPrice);
            }
        }

        return (results, set, removed);
    }

    private static string ColumnOf(string field) => field switch
    {
        "compareAtPrice" => "compare_at_price",
        _ => field,
    };

    private static string Invariant(decimal value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
