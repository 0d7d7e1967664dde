using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.Inventory.Kits;

/// <summary>A kit SKU of a tenant; its components are <see cref="KitComponentRow"/>s.</summary>
public sealed class KitRow
{
    public required Guid TenantId { get; init; }

    public required string KitSku { get; init; }

    public long Version { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }
}

public sealed class KitComponentRow
{
    public required Guid TenantId { get; init; }

    public required string KitSku { get; init; }

    public required string ComponentSku { get; init; }

    public int Quantity { get; set; }
}

public static class KitBook
{
    /// <summary>The tenant's kits that are among <paramref name="skus"/> or use one of them as a component, with their components.</summary>
    public static async Task<Dictionary<string, IReadOnlyList<KitComponent>>> TouchingAsync(InventoryDbContext db, Guid tenantId, IReadOnlyCollection<string> skus,
        CancellationToken ct)
    {
        var kits = db.KitComponents.Where(c => c.TenantId == tenantId && (skus.Contains(c.KitSku) || skus.Contains(c.ComponentSku))).Select(c => c.KitSku);
        return ByKit(await db.KitComponents.AsNoTracking().Where(c => c.TenantId == tenantId && kits.Contains(c.KitSku)).ToListAsync(ct));
    }

    /// <summary>The tenant's kits among <paramref name="skus"/> (what an order's lines expand into), with their components.</summary>
    public static async Task<Dictionary<string, IReadOnlyList<KitComponent>>> AmongAsync(InventoryDbContext db, Guid tenantId, IReadOnlyCollection<string> skus,
        CancellationToken ct) =>
        ByKit(await db.KitComponents.AsNoTracking().Where(c => c.TenantId == tenantId && skus.Contains(c.KitSku)).ToListAsync(ct));

    private static Dictionary<string, IReadOnlyList<KitComponent>> ByKit(List<KitComponentRow> rows) =>
        rows.GroupBy(r => r.KitSku).ToDictionary(g => g.Key, g => (IReadOnlyList<KitComponent>)g.OrderBy(c => c.ComponentSku)
            .Select(c => new KitComponent(c.ComponentSku, c.Quantity)).ToList(), StringComparer.Ordinal);
}
