using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Contracts.Inventory;

namespace Rakuten.Platform.Channels.Shopify.ExportingOrders;

/// <summary>A kit as Inventory defined it (KitChanged): the components the exporter adds to a Shopify order of the kit.</summary>
public sealed class KitDefinitionRow
{
    public required Guid TenantId { get; init; }

    public required string KitSku { get; init; }

    public required string Components { get; set; }

    public long Version { get; set; }
}

public static class KitDefinitions
{
    /// <summary>Where a kit's units are counted in Shopify (<c>Platform:Shopify:KitLines</c>): <c>components</c> (default) adds the
    /// components to the order at no price so that Shopify decrements them; <c>kit</c> sends the kit's line alone, for a store
    /// whose own bundles decrement the components.</summary>
    public const string Setting = "Platform:Shopify:KitLines";

    public static async Task<Dictionary<(Guid Tenant, string Sku), IReadOnlyList<KitComponent>>> ForAsync(ShopifyDbContext db, IReadOnlyCollection<Guid> tenants,
        CancellationToken ct) =>
        (await db.KitDefinitions.AsNoTracking().Where(k => tenants.Contains(k.TenantId) && k.Components != "[]").ToListAsync(ct))
        .ToDictionary(k => (k.TenantId, k.KitSku), k => (IReadOnlyList<KitComponent>)JsonSerializer.Deserialize<List<KitComponent>>(k.Components, PlatformJson.Options)!);
}

/// <summary>Keeps the kits Inventory defines; an older version than the one kept changes nothing.</summary>
public sealed class KitChangedConsumer(ShopifyDbContext db, ILogger<KitChangedConsumer> logger) : IConsumer<KitChanged>
{
    public Task Consume(ConsumeContext<KitChanged> context) => db.ExecuteOnceAsync(context, nameof(KitChangedConsumer), async ct =>
    {
        var m = context.Message;
        var row = await db.KitDefinitions.FirstOrDefaultAsync(k => k.TenantId == m.TenantId && k.KitSku == m.KitSku, ct);
        if (row is not null && row.Version >= m.Version)
        {
            return;
        }

        if (row is null)
        {
            db.KitDefinitions.Add(row = new KitDefinitionRow { TenantId = m.TenantId, KitSku = m.KitSku, Components = "[]" });
        }

        // A removed kit is kept with its version and no components, so that a late older definition cannot bring it back.
        (row.Components, row.Version) = (JsonSerializer.Serialize(m.Removed ? [] : m.Components, PlatformJson.Options), m.Version);
    }, logger);
}
