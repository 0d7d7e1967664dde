using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.Inventory.AllocatingStock;

public sealed record RuleRequest(IReadOnlyList<string>? Locations, int Buffer = 0, int? MaxQuantity = null, int? ZeroBelow = null);

/// <summary>Stock per SKU and location with its reservations and channel quantities; the allocation rule of a connection.</summary>
public static class StockEndpoints
{
    public static void MapStock(this RouteGroupBuilder inventory)
    {
        inventory.MapGet("/stock", async (Caller caller, string? sku, InventoryDbContext db, CancellationToken ct) =>
        {
            var tenantId = caller.Tenant;
            var levels = await db.LocationStocks.AsNoTracking().Where(l => l.TenantId == tenantId && (sku == null || l.Sku == sku)).ToListAsync(ct);
            var reserved = await db.Reservations.AsNoTracking().Where(r => r.TenantId == tenantId && (sku == null || r.Sku == sku)).ToListAsync(ct);
            var connections = await db.ChannelRules.AsNoTracking().Where(r => r.TenantId == tenantId).Select(r => r.ConnectionId).ToListAsync(ct);
            var channel = await db.ChannelQuantities.AsNoTracking().Where(q => connections.Contains(q.ConnectionId) && (sku == null || q.Sku == sku)).ToListAsync(ct);
            return Results.Ok(levels.Select(l => l.Sku).Concat(reserved.Select(r => r.Sku)).Distinct().Order(StringComparer.Ordinal).Select(s => new SkuStockView(
                s,
                levels.Where(l => l.Sku == s).Select(l => new LocationLevelView(l.LocationId, l.Available, l.Version)).ToList(),
                reserved.Where(r => r.Sku == s).Sum(r => r.Quantity),
                channel.Where(q => q.Sku == s).Select(q => new ChannelLevelView(q.ConnectionId, q.Quantity, q.Version)).ToList())));
        }).Produces<IEnumerable<SkuStockView>>();

        inventory.MapGet("/connections/{connectionId:guid}/rules", async (Guid connectionId, Caller caller, InventoryDbContext db, CancellationToken ct) =>
            await db.ChannelRules.AsNoTracking().FirstOrDefaultAsync(r => r.ConnectionId == connectionId && r.TenantId == caller.Tenant, ct) is { } rule
                ? Results.Ok(View(rule))
                : throw PlatformProblem.NotFound("Rakuten connection with this id known to inventory")).Produces<RuleView>();

        inventory.MapPut("/connections/{connectionId:guid}/rules", async (Guid connectionId, Caller caller, RuleRequest request, InventoryDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var allocation = new AllocationRule(request.Locations, request.Buffer, request.MaxQuantity, request.ZeroBelow);
            var problems = allocation.Problems().ToList();
            if (request.Locations is { Count: > 500 }) problems.Add("locations must name at most 500 locations");
            else if (request.Locations?.FirstOrDefault(l => Text.Problem(l, 1, 100) is not null) is { } bad)
                problems.Add($"locations {Text.Problem(bad, 1, 100)} (each location id)");
            if (problems.Count > 0)
                return ApiErrors.Validation(problems);
            var rule = await db.ChannelRules.FirstOrDefaultAsync(r => r.ConnectionId == connectionId && r.TenantId == caller.Tenant && !r.Removed, ct)
                       ?? throw PlatformProblem.NotFound("active Rakuten connection with this id known to inventory");

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            rule.Locations = request.Locations is null ? null : JsonSerializer.Serialize(request.Locations);
            rule.Buffer = request.Buffer;
            rule.MaxQuantity = request.MaxQuantity;
            rule.ZeroBelow = request.ZeroBelow;
            await db.SaveChangesAsync(ct);
            var skus = await db.LocationStocks.Where(l => l.TenantId == rule.TenantId).Select(l => l.Sku).Distinct().ToListAsync(ct);
            await ChannelStock.LockAllAsync(db, skus.Select(sku => (rule.TenantId, sku)), ct);

            await ChannelStock.RecomputeAsync(db, rule.TenantId, skus, clock.GetUtcNow(), ct, connectionId);
            db.Audit(caller, "stock-rule.set", $"connection/{connectionId}", clock.GetUtcNow(),
                detail: $"buffer {rule.Buffer}, max {rule.MaxQuantity?.ToString() ?? "none"}, zero below {rule.ZeroBelow?.ToString() ?? "none"}, locations {rule.Locations ?? "all"}");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok(View(rule));
        }).RequireAuthorization(PlatformPolicies.Operator).Produces<RuleView>();
    }

    private static RuleView View(ChannelRule rule) =>
        new(rule.ConnectionId, rule.Channel, ChannelStock.RuleOf(rule).Locations, rule.Buffer, rule.MaxQuantity, rule.ZeroBelow, rule.Removed);
}

/// <summary>A SKU's stock: per Shopify location, reserved by open orders, and the quantity each channel connection lists.</summary>
public sealed record SkuStockView(string Sku, IReadOnlyList<LocationLevelView> Locations, int Reserved, IReadOnlyList<ChannelLevelView> Channels);

public sealed record LocationLevelView(string LocationId, int Available, long Version);

public sealed record ChannelLevelView(Guid ConnectionId, int Quantity, long Version);

/// <summary>How a channel connection's quantity is computed from the locations (DESIGN §3).</summary>
public sealed record RuleView(Guid ConnectionId, string Channel, IReadOnlyList<string>? Locations, int Buffer, int? MaxQuantity, int? ZeroBelow, bool Removed);
