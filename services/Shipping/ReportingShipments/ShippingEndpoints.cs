using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Shipping.ReportingShipments;

public sealed record CarrierOverrideRequest(string? RakutenJpCode, string? RakutenFrTransporter, string? TrackingUrl);

/// <summary>An order's shipments as the marketplaces were told about them, and the carrier registry with a merchant's overrides.</summary>
public static class ShippingEndpoints
{
    public static void MapShipping(this RouteGroupBuilder shipping)
    {
        shipping.MapGet("/orders/{orderId:guid}/shipments", async (Guid orderId, ShippingDbContext db, CancellationToken ct) =>
            Results.Ok((await db.Shipments.AsNoTracking().Where(s => s.OrderId == orderId).OrderBy(s => s.ShippedAt).ToListAsync(ct)).Select(s => new
            {
                s.ShipmentId, s.FulfillmentId, s.Carrier, status = s.Status.ToString(), s.Units,
                trackingNumbers = JsonSerializer.Deserialize<string[]>(s.TrackingNumbers),
                packages = JsonSerializer.Deserialize<List<ShipmentPackage>>(s.Packages, PlatformJson.Options),
                error = s.ErrorCode is null ? null : new { code = s.ErrorCode, message = s.ErrorMessage },
                s.ShippedAt, s.DeliveredAt,
            })));

        shipping.MapGet("/carriers", async (Guid tenantId, ShippingDbContext db, CancellationToken ct) => Results.Ok(new
        {
            defaults = CarrierRegistry.All.Select(c => new { c.Name, c.RakutenJpCode, c.RakutenFrTransporter, c.TrackingUrl, shopifyNames = c.Aliases }),
            overrides = await db.CarrierOverrides.AsNoTracking().Where(c => c.TenantId == tenantId).ToListAsync(ct),
            rakutenFrTransporters = CarrierRegistry.RakutenFrTransporters.Append(CarrierRegistry.Other),
        }));

        shipping.MapPut("/carriers/{shopifyName}", async (string shopifyName, Guid tenantId, CarrierOverrideRequest request, ShippingDbContext db, CancellationToken ct) =>
        {
            var candidate = new CarrierOverride(shopifyName, request.RakutenJpCode, request.RakutenFrTransporter, request.TrackingUrl);
            if (CarrierRegistry.Validate(candidate) is { } error)
            {
                return Results.BadRequest(new { errors = new[] { error } });
            }

            var row = await db.CarrierOverrides.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.ShopifyName == shopifyName, ct);
            if (row is null)
            {
                db.CarrierOverrides.Add(row = new CarrierOverrideRow { TenantId = tenantId, ShopifyName = shopifyName });
            }

            row.RakutenJpCode = request.RakutenJpCode;
            row.RakutenFrTransporter = request.RakutenFrTransporter;
            row.TrackingUrl = request.TrackingUrl;
            await db.SaveChangesAsync(ct);
            return Results.Ok(row);
        });
    }
}
