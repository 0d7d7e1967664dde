using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Shipping.ReportingShipments;

public sealed record CarrierOverrideRequest(string? RakutenJpCode, string? RakutenFrTransporter, string? TrackingUrl);

/// <summary>An order's shipments as the marketplaces were told about them, and the carrier registry with a merchant's overrides.</summary>
public static class ShippingEndpoints
{
    public static ShipmentView View(Shipment s) => new(
        s.ShipmentId, s.FulfillmentId, s.Carrier, s.Status.ToString(), s.Units,
        JsonSerializer.Deserialize<string[]>(s.TrackingNumbers),
        JsonSerializer.Deserialize<List<ShipmentPackage>>(s.Packages, PlatformJson.Options),
        s.ErrorCode is null ? null : new ShipmentError(s.ErrorCode, s.ErrorMessage),
        s.ShippedAt, s.DeliveredAt);

    public static void MapShipping(this RouteGroupBuilder shipping)
    {
        // An order Shipping does not know for this tenant (another tenant's, or one not accepted yet) is a 404.
        shipping.MapGet("/orders/{orderId:guid}/shipments", async (Guid orderId, Caller caller, ShippingDbContext db, CancellationToken ct) =>
        {
            if (!await db.Orders.AnyAsync(o => o.OrderId == orderId && o.TenantId == caller.Tenant, ct))
            {
                throw PlatformProblem.NotFound("order with this id known to shipping");
            }

            return Results.Ok((await db.Shipments.AsNoTracking().Where(s => s.OrderId == orderId).OrderBy(s => s.ShippedAt).ToListAsync(ct)).Select(View));
        }).Produces<IEnumerable<ShipmentView>>();

        shipping.MapGet("/carriers", async (Caller caller, ShippingDbContext db, CancellationToken ct) => Results.Ok(new CarriersView(
            CarrierRegistry.All.Select(c => new CarrierView(c.Name, c.RakutenJpCode, c.RakutenFrTransporter, c.TrackingUrl, c.Aliases)).ToList(),
            await db.CarrierOverrides.AsNoTracking().Where(c => c.TenantId == caller.Tenant).ToListAsync(ct),
            CarrierRegistry.RakutenFrTransporters.Append(CarrierRegistry.Other).ToList()))).Produces<CarriersView>();

        shipping.MapPut("/carriers/{shopifyName}", async (string shopifyName, Caller caller, CarrierOverrideRequest request, ShippingDbContext db,
            BuildingBlocks.EventSourcing.EventStore<ShippingDbContext> store, TimeProvider clock, CancellationToken ct) =>
        {
            if (Text.Problem(shopifyName, 1, 100) is { } name)
            {
                return ApiErrors.Validation([$"shopifyName {name}"]);
            }

            if (request.TrackingUrl is { } url && Text.Problem(url, 1, 500) is { } urlProblem)
            {
                return ApiErrors.Validation([$"trackingUrl {urlProblem}"]);
            }

            var candidate = new CarrierOverride(shopifyName, request.RakutenJpCode, request.RakutenFrTransporter, request.TrackingUrl);
            if (CarrierRegistry.Validate(candidate) is { } error)
            {
                return ApiErrors.Validation([error]);
            }

            var row = await db.CarrierOverrides.FirstOrDefaultAsync(c => c.TenantId == caller.Tenant && c.ShopifyName == shopifyName, ct);
            if (row is null)
            {
                db.CarrierOverrides.Add(row = new CarrierOverrideRow { TenantId = caller.Tenant, ShopifyName = shopifyName });
            }

            row.RakutenJpCode = request.RakutenJpCode;
            row.RakutenFrTransporter = request.RakutenFrTransporter;
            row.TrackingUrl = request.TrackingUrl;
            var now = clock.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            // The shipments refused for want of this mapping go out again now, in the same transaction.
            var resent = await RetryingShipments.ShipmentRetry.ResendCarrierRefusalsAsync(db, store, caller.Tenant, now, ct);
            db.Audit(caller, "carrier.set", $"carrier/{shopifyName}", now,
                detail: $"RMS {request.RakutenJpCode ?? "-"}, Rakuten France {request.RakutenFrTransporter ?? "-"}, tracking URL {request.TrackingUrl ?? "-"}; {resent} refused shipment(s) sent again");
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok(new CarrierOverrideSaved(row.ShopifyName, row.RakutenJpCode, row.RakutenFrTransporter, row.TrackingUrl, resent));
        }).RequireAuthorization(PlatformPolicies.Operator).Produces<CarrierOverrideSaved>();
    }
}

/// <summary>A shipment as reported by Shopify and sent to its marketplace: its carrier, tracking and packages, and the
/// marketplace's refusal when there was one.</summary>
public sealed record ShipmentView(Guid ShipmentId, string FulfillmentId, string? Carrier, string Status, int Units, string[]? TrackingNumbers,
    List<ShipmentPackage>? Packages, ShipmentError? Error, DateTimeOffset ShippedAt, DateTimeOffset? DeliveredAt);

public sealed record ShipmentError(string Code, string? Message);

/// <summary>A carrier mapping as saved, and how many refused shipments it sent to their marketplace again.</summary>
public sealed record CarrierOverrideSaved(string ShopifyName, string? RakutenJpCode, string? RakutenFrTransporter, string? TrackingUrl, int ShipmentsResent);

/// <summary>The carriers the platform knows, the tenant's own mappings, and the transporter names Rakuten France takes.</summary>
public sealed record CarriersView(IReadOnlyList<CarrierView> Defaults, IReadOnlyList<CarrierOverrideRow> Overrides, IReadOnlyList<string> RakutenFrTransporters);

public sealed record CarrierView(string Name, string RakutenJpCode, string? RakutenFrTransporter, string? TrackingUrl, IReadOnlyList<string> ShopifyNames);
