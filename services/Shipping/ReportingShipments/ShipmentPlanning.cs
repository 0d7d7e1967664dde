using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Shipping.ReportingShipments;

/// <summary>The latest report of a Shopify fulfilment (carrier, numbers, URLs, lines), kept so that a shipment the
/// marketplace refused can be planned again once its cause is fixed — a carrier override added, a number corrected.</summary>
public sealed class FulfillmentReportRow
{
    public required string FulfillmentId { get; init; }

    public required Guid OrderId { get; init; }

    public required string Report { get; set; }

    public required long Version { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }
}

public static class FulfillmentReports
{
    /// <summary>Keeps <paramref name="m"/> unless a later version of the fulfilment is kept already.</summary>
    public static async Task KeepAsync(ShippingDbContext db, ShippingOrder order, FulfillmentReported m, DateTimeOffset now, CancellationToken ct)
    {
        var row = await db.FulfillmentReports.FirstOrDefaultAsync(r => r.FulfillmentId == m.FulfillmentId, ct);
        if (row is null)
        {
            db.FulfillmentReports.Add(new FulfillmentReportRow
            {
                FulfillmentId = m.FulfillmentId, OrderId = order.OrderId, Report = JsonSerializer.Serialize(m, PlatformJson.Options), Version = m.Version, UpdatedAt = now,
            });
        }
        else if (m.Version > row.Version)
        {
            (row.Report, row.Version, row.UpdatedAt) = (JsonSerializer.Serialize(m, PlatformJson.Options), m.Version, now);
        }
    }

    public static async Task<FulfillmentReported?> LatestAsync(ShippingDbContext db, string fulfillmentId, CancellationToken ct) =>
        await db.FulfillmentReports.AsNoTracking().Where(r => r.FulfillmentId == fulfillmentId).Select(r => r.Report).FirstOrDefaultAsync(ct) is { } json
            ? JsonSerializer.Deserialize<FulfillmentReported>(json, PlatformJson.Options)
            : null;
}

/// <summary>What a fulfilment means for its marketplace: the carrier resolved (the tenant's overrides first), the packages
/// planned (RMS baskets, Rakuten France units) — a <see cref="ShipmentWasDispatched"/> — or the reason the marketplace
/// cannot take it, before any call — a <see cref="ShipmentWasRefused"/>.</summary>
public static class ShipmentPlanning
{
    public static async Task<object> PlanAsync(ShippingDbContext db, ShippingOrder order, FulfillmentReported m, Guid shipmentId, CancellationToken ct)
    {
        var overrides = (await db.CarrierOverrides.AsNoTracking().Where(c => c.TenantId == order.TenantId).ToListAsync(ct))
            .Select(c => new CarrierOverride(c.ShopifyName, c.RakutenJpCode, c.RakutenFrTransporter, c.TrackingUrl)).ToList();
        var before = (await db.Shipments.AsNoTracking().Where(s => s.OrderId == order.OrderId && s.ShipmentId != shipmentId && s.Status != ShipmentStatus.Rejected)
                .Select(s => s.Packages).ToListAsync(ct))
            .SelectMany(p => JsonSerializer.Deserialize<List<ShipmentPackage>>(p, PlatformJson.Options)!).Select(p => p.PackageId).ToHashSet();
        return Plan(order, m, shipmentId, overrides, before);
    }

    /// <param name="before">The packages of the order's other shipments (never shipped twice).</param>
    public static object Plan(ShippingOrder order, FulfillmentReported m, Guid shipmentId, IReadOnlyList<CarrierOverride> overrides, IReadOnlySet<string> before)
    {
        var channel = Enum.Parse<Channel>(order.Channel);
        var detail = JsonSerializer.Deserialize<ChannelOrder>(order.Order, PlatformJson.Options)!;
        var (carrier, refusal) = channel == Channel.RakutenFr
            ? CarrierRegistry.ForRakutenFr(m.Carrier, m.TrackingNumbers.FirstOrDefault(), m.TrackingUrls.FirstOrDefault(), overrides)
            : (CarrierRegistry.ForRakutenJp(m.Carrier, m.TrackingNumbers.FirstOrDefault(), overrides), null);
        if (channel == Channel.RakutenFr && m.TrackingNumbers.Count == 0)
        {
            // An untracked delivery ("Normal"): no number, so no URL to give — Rakuten France needs only the units.
            (carrier, refusal) = (CarrierRegistry.Find(m.Carrier, overrides) is { } known
                ? new CarrierInfo(known.Name, known.RakutenJpCode, known.RakutenFrTransporter, null)
                : new CarrierInfo(m.Carrier ?? "untracked", null, null, null), null);
        }

        var code = "UNSUPPORTED_CARRIER";
        if (channel == Channel.RakutenJp && ShipmentPlanner.TooLong(m.TrackingNumbers) is { } longNumber)
        {
            (code, refusal) = ("TRACKING_NUMBER_TOO_LONG", $"tracking number {longNumber[..20]}… has {longNumber.Length} characters; RMS takes at most 120");
        }

        // Each box its own URL: the carrier is resolved again for each tracking number (with Shopify's URL for it, if any).
        CarrierInfo For(string? number)
        {
            var url = number is null ? null : m.TrackingUrls.ElementAtOrDefault(Math.Max(0, m.TrackingNumbers.ToList().IndexOf(number)));
            return number is null ? carrier!
                : (channel == Channel.RakutenFr ? CarrierRegistry.ForRakutenFr(m.Carrier, number, url, overrides).Info
                    : CarrierRegistry.ForRakutenJp(m.Carrier, number, overrides)) ?? carrier!;
        }

        var packages = carrier is null ? [] : ShipmentPlanner.Plan(channel, detail, m.Lines, For, m.TrackingNumbers, before);
        if (refusal is null && packages.Count == 0)
        {
            (code, refusal) = ("NOTHING_TO_SHIP", $"the fulfilment's SKUs ({string.Join(", ", m.Lines.Select(l => l.Sku))}) match no unit of the order still to ship");
        }

        return refusal is null
            ? new ShipmentWasDispatched(shipmentId, order.OrderId, m.FulfillmentId, carrier?.Name ?? m.Carrier, m.TrackingNumbers, packages, m.Version, m.ShippedAt)
            : new ShipmentWasRefused(shipmentId, order.OrderId, m.FulfillmentId, carrier?.Name ?? m.Carrier, m.TrackingNumbers, packages, m.Version, m.ShippedAt, code, refusal);
    }
}
