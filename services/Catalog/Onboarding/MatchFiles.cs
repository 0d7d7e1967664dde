using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.BulkFiles;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.Catalog.Onboarding;

/// <summary>The onboarding report as a spreadsheet, and the merchant's decisions imported from it: export, fill the
/// <c>decision</c> column (adopt, move, leave-alone, undecided; empty leaves the item as it is), import with a dry run
/// first. Every row is checked before anything changes; all the decisions apply in one transaction or none.</summary>
public static class MatchFiles
{
    private static readonly string[] Required = ["item_id", "decision"];
    private static readonly string[] Optional = ["kind", "item_title", "product_title", "product_ids", "reason"];

    public static void MapMatchFiles(this RouteGroupBuilder onboarding)
    {
        onboarding.MapGet("/export", async (Guid connectionId, string? format, Caller caller, CatalogDbContext db, CancellationToken ct) =>
        {
            var kind = BulkFile.FormatOf(format);
            var connection = await OnboardingEndpoints.ConnectionAsync(db, caller, connectionId, ct);
            var entries = await OnboardingEndpoints.ReadyReportAsync(db, connection, ct);
            var decisions = await db.ItemDecisions.AsNoTracking().Where(d => d.ConnectionId == connectionId).ToDictionaryAsync(d => d.ItemId, d => d.Decision, ct);
            return BulkFile.Write($"onboarding-{connectionId}", kind, [.. Optional.Take(1), "item_id", .. Optional.Skip(1), "decision"],
                entries.OrderBy(e => e.Kind).ThenBy(e => e.ItemId).ThenBy(e => e.ProductTitle).Select(e => (IReadOnlyList<string?>)
                [
                    e.Kind.ToString(), e.ItemId, e.ItemTitle, e.ProductTitle, string.Join(" ", e.ProductIds), e.Reason,
                    e.ItemId is not null && decisions.TryGetValue(e.ItemId, out var d) && d is not null ? Text(d) : null,
                ]));
        }).Produces<string>(StatusCodes.Status200OK, BulkFile.CsvType, BulkFile.XlsxType);

        onboarding.MapPost("/decisions/import", async (Guid connectionId, bool? dryRun, HttpRequest request, Caller caller, CatalogDbContext db, TimeProvider clock,
            CancellationToken ct) =>
        {
            var connection = await OnboardingEndpoints.ConnectionAsync(db, caller, connectionId, ct);
            var rows = await BulkFile.ReadAsync(request, Required, Optional, ct);
            var entries = await OnboardingEndpoints.ReadyReportAsync(db, connection, ct);
            var current = await db.ItemDecisions.AsNoTracking().Where(d => d.ConnectionId == connectionId).ToDictionaryAsync(d => d.ItemId, d => d.Decision, ct);
            var (results, chosen) = Plan(rows, entries, current, movable: OnboardingMatches.PublishingWaitsForInventory(connection.Channel));
            if (dryRun == true || results.Any(r => r.Outcome == RowOutcome.Error))
            {
                return BulkFile.Answer(results, dryRun == true, applied: false);
            }

            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AdvisoryLock.AcquireAsync(db, $"catalog:{caller.Tenant}", ct);
            await OnboardingEndpoints.ApplyDecisionsAsync(db, caller, connectionId, chosen, now, ct);
            db.Audit(caller, "onboarding.decide.import", $"connection/{connectionId}", now, detail: $"{chosen.Count} item(s) decided from {rows.Count} row(s)");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return BulkFile.Answer(results, dryRun: false, applied: true);
        }).RequireAuthorization(PlatformPolicies.Operator).SpendsMarketplaceQuota().Accepts<IFormFile>(BulkFile.CsvType, BulkFile.XlsxType).Produces<ImportReport>();
    }

    /// <summary>Each row's outcome (the decision it takes, unchanged, skipped for a product without item, or its errors) and the
    /// decisions to apply.</summary>
    public static (List<RowOutcome> Results, List<(OnboardingEntry Entry, string? Decision)> Chosen) Plan(IReadOnlyList<BulkRow> rows,
        IReadOnlyList<OnboardingEntry> entries, IReadOnlyDictionary<string, string?> current, bool movable)
    {
        var byItem = entries.Where(e => e.ItemId is not null).GroupBy(e => e.ItemId!, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var results = new List<RowOutcome>();
        var chosen = new List<(OnboardingEntry, string?)>();
        foreach (var row in rows)
        {
            var (itemId, text) = (row["item_id"], row["decision"]);
            if (itemId is null)
            {
                results.Add(text is null ? new RowOutcome(row.Number, "skipped", [])
                    : RowOutcome.Refused(row.Number, new CellError("item_id", "is required with a decision (a product without an existing item has nothing to decide)")));
                continue;
            }

            if (seen.TryGetValue(itemId, out var first))
            {
                results.Add(RowOutcome.Refused(row.Number, new CellError("item_id", $"{itemId} is already on row {first}: decide each item once")));
                continue;
            }

            seen[itemId] = row.Number;
            if (!byItem.TryGetValue(itemId, out var entry))
            {
                results.Add(RowOutcome.Refused(row.Number, new CellError("item_id", $"{itemId} is not in this connection's onboarding report")));
                continue;
            }

            if (text is null)
            {
                results.Add(new RowOutcome(row.Number, "unchanged", []));
                continue;
            }

            var (known, decision) = text.ToLowerInvariant() switch
            {
                "adopt" => (true, ItemDecisions.Adopt),
                "move" => (true, ItemDecisions.Move),
                "leave-alone" or "leave alone" => (true, ItemDecisions.LeaveAlone),
                "undecided" => (true, (string?)null),
                _ => (false, null),
            };
            var error = !known ? "must be adopt, move, leave-alone or undecided (empty leaves the item as it is)"
                : decision is ItemDecisions.Adopt or ItemDecisions.Move && entry.Kind != MatchKind.Matched
                    ? $"{entry.Kind}, not matched: only a matched item can be adopted or moved. {entry.Reason}"
                : decision == ItemDecisions.Move && !movable ? "move is for RMS items (a Rakuten France offer is the seller's by SKU: adopt it or leave it alone)"
                : null;
            if (error is not null)
            {
                results.Add(RowOutcome.Refused(row.Number, new CellError("decision", error)));
                continue;
            }

            if (current.TryGetValue(itemId, out var was) && was == decision || !current.ContainsKey(itemId) && decision is null)
            {
                results.Add(new RowOutcome(row.Number, "unchanged", []));
                continue;
            }

            results.Add(new RowOutcome(row.Number, Text(decision), []));
            chosen.Add((entry, decision));
        }

        return (results, chosen);
    }

    private static string Text(string? decision) => decision switch
    {
        ItemDecisions.Adopt => "adopt",
        ItemDecisions.Move => "move",
        ItemDecisions.LeaveAlone => "leave-alone",
        _ => "undecided",
    };
}
