using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;

namespace Rakuten.Platform.Channels.RakutenJp.ConfirmingOrders;

/// <summary>A connection's order settings: when its orders are confirmed in RMS.</summary>
public sealed class OrderSettingsRow
{
    public required Guid ConnectionId { get; init; }

    public required string ConfirmOn { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }
}

public sealed record OrderSettingsRequest(string? ConfirmOn);

public sealed record OrderSettingsView(Guid ConnectionId, string ConfirmOn, bool ConfirmingEnabled, DateTimeOffset? UpdatedAt, string? UpdatedBy);

public static class OrderSettingsEndpoints
{
    public static async Task<string> ConfirmOnAsync(RakutenJpDbContext db, Guid connectionId, CancellationToken ct) =>
        await db.OrderSettings.AsNoTracking().Where(s => s.ConnectionId == connectionId).Select(s => s.ConfirmOn).FirstOrDefaultAsync(ct) ?? ConfirmingOrders.ConfirmOn.Exported;

    public static void MapOrderSettings(this RouteGroupBuilder api)
    {
        api.MapGet("/connections/{id:guid}/order-settings", async (Guid id, Caller caller, RakutenJpDbContext db, OrderConfirmer confirmer, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            var row = await db.OrderSettings.AsNoTracking().FirstOrDefaultAsync(s => s.ConnectionId == id, ct);
            return Results.Ok(new OrderSettingsView(id, row?.ConfirmOn ?? ConfirmOn.Exported, confirmer.Enabled, row?.UpdatedAt, row?.UpdatedBy));
        }).Produces<OrderSettingsView>();

        // When the connection's orders are confirmed in RMS; it applies to orders imported after the change.
        api.MapPut("/connections/{id:guid}/order-settings", async (Guid id, OrderSettingsRequest? request, Caller caller, RakutenJpDbContext db, OrderConfirmer confirmer,
            TimeProvider clock, CancellationToken ct) =>
        {
            await ConnectionEndpoints.FindAsync(db, id, caller, live: true, tracked: false, ct);
            if (request?.ConfirmOn is not { } confirmOn || !ConfirmOn.All.Contains(confirmOn))
            {
                return ApiErrors.Validation(new Dictionary<string, string[]>
                {
                    ["confirmOn"] = ["must be exported (once the order reached Shopify: a held order is not confirmed), received (as soon as it is imported) or never (the shop confirms in RMS)"],
                });
            }

            var now = clock.GetUtcNow();
            var row = await db.OrderSettings.FirstOrDefaultAsync(s => s.ConnectionId == id, ct);
            if (row is null)
            {
                db.OrderSettings.Add(row = new OrderSettingsRow { ConnectionId = id, ConfirmOn = confirmOn, UpdatedAt = now, UpdatedBy = caller.Actor });
            }

            (row.ConfirmOn, row.UpdatedAt, row.UpdatedBy) = (confirmOn, now, caller.Actor);
            db.Audit(caller, "order-settings.set", $"connection/{id}", now, detail: $"confirm on {confirmOn}");
            await db.SaveChangesAsync(ct);
            return Results.Ok(new OrderSettingsView(id, confirmOn, confirmer.Enabled, now, caller.Actor));
        }).RequireAuthorization(PlatformPolicies.Operator).Produces<OrderSettingsView>();
    }
}
