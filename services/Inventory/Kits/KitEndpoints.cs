using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts.Inventory;
using Rakuten.Platform.Inventory.AllocatingStock;

namespace Rakuten.Platform.Inventory.Kits;

/// <summary>A kit's components, as the merchant sends them.</summary>
public sealed record KitRequest(IReadOnlyList<KitComponent>? Components);

/// <summary>A kit, its components, and what each channel connection is told of it now.</summary>
public sealed record KitView(string Sku, IReadOnlyList<KitComponent> Components, long Version, DateTimeOffset UpdatedAt, string UpdatedBy, IReadOnlyList<ChannelLevelView> Channels);

/// <summary>Kits and bundles: a kit SKU (a Shopify product like any other, listed on the channels like any other) made of
/// components. Its channel quantity is the minimum its components allow; selling one holds its components.</summary>
public static class KitEndpoints
{
    public static void MapKits(this RouteGroupBuilder inventory)
    {
        var kits = inventory.MapGroup("/kits").WithTags("Kits");
        kits.MapKitFiles();
        kits.MapGet("", async (Caller caller, InventoryDbContext db, CancellationToken ct) =>
            Results.Ok(await ViewsAsync(db, caller.Tenant, null, ct))).Produces<List<KitView>>();

        kits.MapGet("/{sku}", async (string sku, Caller caller, InventoryDbContext db, CancellationToken ct) =>
            (await ViewsAsync(db, caller.Tenant, sku, ct)).SingleOrDefault() is { } kit ? Results.Ok(kit) : throw PlatformProblem.NotFound("kit with this SKU"))
            .Produces<KitView>();

        kits.MapPut("/{sku}", async (string sku, KitRequest? request, Caller caller, InventoryDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var errors = await SetAsync(db, caller, [(sku, request?.Components)], now, ct);
            if (errors.Count > 0)
            {
                return ApiErrors.Validation(errors);
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok((await ViewsAsync(db, caller.Tenant, sku, ct)).Single());
        }).RequireAuthorization(PlatformPolicies.Operator).Produces<KitView>();

        kits.MapDelete("/{sku}", async (string sku, Caller caller, InventoryDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await ChannelStock.LockAllAsync(db, [(caller.Tenant, sku)], ct);
            var kit = await db.Kits.FirstOrDefaultAsync(k => k.TenantId == caller.Tenant && k.KitSku == sku, ct) ?? throw PlatformProblem.NotFound("kit with this SKU");
            await db.KitComponents.Where(c => c.TenantId == caller.Tenant && c.KitSku == sku).ExecuteDeleteAsync(ct);
            db.Kits.Remove(kit);
            db.AddToOutbox(new KitChanged(caller.Tenant, sku, [], Removed: true, kit.Version + 1, now));
            db.Audit(caller, "kit.remove", $"kit/{sku}", now);
            await db.SaveChangesAsync(ct);
            // No longer a kit: the SKU is listed from its own Shopify stock again.
            await ChannelStock.RecomputeAsync(db, caller.Tenant, [sku], now, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.NoContent();
        }).RequireAuthorization(PlatformPolicies.Operator).Produces(StatusCodes.Status204NoContent);
    }

    /// <summary>Defines or redefines kits in the caller's transaction (all or none: the field errors of every kit, prefixed by its
    /// SKU when there are several), publishes KitChanged for each and recomputes what the channels are told of them.</summary>
    public static async Task<Dictionary<string, string[]>> SetAsync(InventoryDbContext db, Caller caller, IReadOnlyList<(string Sku, IReadOnlyList<KitComponent>? Components)> kits,
        DateTimeOffset now, CancellationToken ct)
    {
        var tenant = caller.Tenant;
        var skus = kits.Select(k => k.Sku).ToList();
        await ChannelStock.LockAllAsync(db, skus.Select(s => (tenant, s)), ct);
        var otherKits = (await db.Kits.AsNoTracking().Where(k => k.TenantId == tenant && !skus.Contains(k.KitSku)).Select(k => k.KitSku).ToListAsync(ct))
            .Union(skus).ToHashSet(StringComparer.Ordinal);
        var otherComponents = (await db.KitComponents.AsNoTracking().Where(c => c.TenantId == tenant && !skus.Contains(c.KitSku)).Select(c => c.ComponentSku).ToListAsync(ct))
            .Concat(kits.SelectMany(k => k.Components ?? []).Select(c => c.Sku)).ToHashSet(StringComparer.Ordinal);
        var errors = new Dictionary<string, string[]>();
        foreach (var (sku, components) in kits)
        {
            var others = otherKits.Where(k => k != sku).ToHashSet(StringComparer.Ordinal);
            foreach (var (field, rules) in KitRules.Validate(sku, components, others, otherComponents))
            {
                errors[kits.Count == 1 ? field : $"{sku}.{field}"] = rules;
            }
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        var rows = await db.Kits.Where(k => k.TenantId == tenant && skus.Contains(k.KitSku)).ToDictionaryAsync(k => k.KitSku, ct);
        await db.KitComponents.Where(c => c.TenantId == tenant && skus.Contains(c.KitSku)).ExecuteDeleteAsync(ct);
        foreach (var (sku, components) in kits)
        {
            if (!rows.TryGetValue(sku, out var row))
            {
                db.Kits.Add(row = new KitRow { TenantId = tenant, KitSku = sku, UpdatedAt = now, UpdatedBy = caller.Actor });
            }

            (row.Version, row.UpdatedAt, row.UpdatedBy) = (row.Version + 1, now, caller.Actor);
            db.KitComponents.AddRange(components!.Select(c => new KitComponentRow { TenantId = tenant, KitSku = sku, ComponentSku = c.Sku, Quantity = c.Quantity }));
            db.AddToOutbox(new KitChanged(tenant, sku, components!, Removed: false, row.Version, now));
            db.Audit(caller, "kit.set", $"kit/{sku}", now, detail: string.Join(", ", components!.Select(c => $"{c.Quantity} × {c.Sku}")));
        }

        await db.SaveChangesAsync(ct); // the recomputation reads the components from the database
        await ChannelStock.RecomputeAsync(db, tenant, skus, now, ct);
        return errors;
    }

    private static async Task<List<KitView>> ViewsAsync(InventoryDbContext db, Guid tenant, string? sku, CancellationToken ct)
    {
        var kits = await db.Kits.AsNoTracking().Where(k => k.TenantId == tenant && (sku == null || k.KitSku == sku)).OrderBy(k => k.KitSku).ToListAsync(ct);
        var skus = kits.Select(k => k.KitSku).ToList();
        var components = (await db.KitComponents.AsNoTracking().Where(c => c.TenantId == tenant && skus.Contains(c.KitSku)).ToListAsync(ct)).ToLookup(c => c.KitSku);
        var connections = db.ChannelRules.Where(r => r.TenantId == tenant).Select(r => r.ConnectionId);
        var channel = (await db.ChannelQuantities.AsNoTracking().Where(q => connections.Contains(q.ConnectionId) && skus.Contains(q.Sku)).ToListAsync(ct)).ToLookup(q => q.Sku);
        return kits.Select(k => new KitView(k.KitSku, components[k.KitSku].OrderBy(c => c.ComponentSku).Select(c => new KitComponent(c.ComponentSku, c.Quantity)).ToList(),
            k.Version, k.UpdatedAt, k.UpdatedBy, channel[k.KitSku].Select(q => new ChannelLevelView(q.ConnectionId, q.Quantity, q.Version)).ToList())).ToList();
    }
}
