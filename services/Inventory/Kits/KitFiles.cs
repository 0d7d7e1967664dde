using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.BulkFiles;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.Inventory.Kits;

/// <summary>Kits as a spreadsheet, a row per component (kit_sku, component_sku, quantity): exported, and imported with a dry
/// run. Each kit named in the file is defined by its rows; every row is checked before anything changes, and all the
/// kits are applied in one transaction or none.</summary>
public static partial class KitFiles
{
    private static readonly string[] Columns = ["kit_sku", "component_sku", "quantity"];

    public static void MapKitFiles(this RouteGroupBuilder kits)
    {
        kits.MapGet("/export", async (string? format, Caller caller, InventoryDbContext db, CancellationToken ct) =>
        {
            var kind = BulkFile.FormatOf(format);
            var rows = await db.KitComponents.AsNoTracking().Where(c => c.TenantId == caller.Tenant).OrderBy(c => c.KitSku).ThenBy(c => c.ComponentSku).ToListAsync(ct);
            return BulkFile.Write("kits", kind, Columns,
                rows.Select(c => (IReadOnlyList<string?>)[c.KitSku, c.ComponentSku, c.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        }).Produces<string>(StatusCodes.Status200OK, BulkFile.CsvType, BulkFile.XlsxType);

        kits.MapPost("/import", async (bool? dryRun, HttpRequest request, Caller caller, InventoryDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var rows = await BulkFile.ReadAsync(request, Columns, [], ct);
            var known = await db.Kits.AsNoTracking().Where(k => k.TenantId == caller.Tenant).Select(k => k.KitSku).ToListAsync(ct);
            var otherComponents = await db.KitComponents.AsNoTracking().Where(c => c.TenantId == caller.Tenant).Select(c => new { c.KitSku, c.ComponentSku }).ToListAsync(ct);
            var (results, kits) = Plan(rows, known.ToHashSet(StringComparer.Ordinal), otherComponents.Select(c => (c.KitSku, c.ComponentSku)).ToList());
            if (dryRun == true || results.Any(r => r.Outcome == RowOutcome.Error))
            {
                return BulkFile.Answer(results, dryRun == true, applied: false);
            }

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var refused = await KitEndpoints.SetAsync(db, caller, kits, clock.GetUtcNow(), ct);
            if (refused.Count > 0)
            {
                // Changed by someone else between the check and the transaction: nothing is applied.
                return ApiErrors.Validation(refused);
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return BulkFile.Answer(results, dryRun: false, applied: true);
        }).RequireAuthorization(PlatformPolicies.Operator).Accepts<IFormFile>(BulkFile.CsvType, BulkFile.XlsxType).Produces<ImportReport>();
    }

    /// <summary>Each row's outcome (create or update of its kit, or its errors naming the column) and the kits to define.</summary>
    public static (List<RowOutcome> Results, List<(string Sku, IReadOnlyList<KitComponent>? Components)> Kits) Plan(IReadOnlyList<BulkRow> rows,
        IReadOnlySet<string> knownKits, IReadOnlyList<(string Kit, string Component)> existingComponents)
    {
        var errors = rows.ToDictionary(r => r.Number, _ => new List<CellError>());
        var parsed = new List<(BulkRow Row, string Kit, string Component, int Quantity)>();
        foreach (var row in rows)
        {
            var quantity = BulkFile.Integer(row, "quantity", errors[row.Number]);
            if (row["kit_sku"] is null) errors[row.Number].Add(new CellError("kit_sku", "is required"));
            if (row["component_sku"] is null) errors[row.Number].Add(new CellError("component_sku", "is required"));
            if (row["quantity"] is null) errors[row.Number].Add(new CellError("quantity", "is required (units of the component in one kit)"));
            if (errors[row.Number].Count == 0)
            {
                parsed.Add((row, row["kit_sku"]!, row["component_sku"]!, quantity!.Value));
            }
        }

        var byKit = parsed.GroupBy(p => p.Kit, StringComparer.Ordinal).ToList();
        var fileKits = byKit.Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var kits = new List<(string, IReadOnlyList<KitComponent>?)>();
        foreach (var kit in byKit)
        {
            var lines = kit.ToList();
            var components = lines.Select(l => new KitComponent(l.Component, l.Quantity)).ToList();
            var otherKits = knownKits.Union(fileKits).Where(k => k != kit.Key).ToHashSet(StringComparer.Ordinal);
            var usedElsewhere = existingComponents.Where(c => !fileKits.Contains(c.Kit)).Select(c => c.Component)
                .Concat(byKit.Where(g => g.Key != kit.Key).SelectMany(g => g.Select(l => l.Component))).ToHashSet(StringComparer.Ordinal);
            foreach (var (field, rules) in KitRules.Validate(kit.Key, components, otherKits, usedElsewhere))
            {
                // components[i].x → the i-th row of the kit; sku / components → every row of the kit.
                var match = ComponentField().Match(field);
                var targets = match.Success ? [lines[int.Parse(match.Groups[1].Value)]] : lines;
                var column = field == "sku" ? "kit_sku" : match.Success && match.Groups[2].Value == "quantity" ? "quantity" : "component_sku";
                foreach (var target in targets)
                {
                    errors[target.Row.Number].Add(new CellError(column, string.Join("; ", rules)));
                }
            }

            kits.Add((kit.Key, components));
        }

        var results = rows.Select(r => errors[r.Number].Count > 0 ? new RowOutcome(r.Number, RowOutcome.Error, errors[r.Number])
            : new RowOutcome(r.Number, knownKits.Contains(r["kit_sku"]!) ? "update" : "create", [])).ToList();
        return (results, kits);
    }

    [GeneratedRegex(@"^components\[(\d+)\]\.(sku|quantity)$")]
    private static partial Regex ComponentField();
}
