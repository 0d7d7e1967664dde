using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Contracts.Shipping;

namespace Rakuten.Platform.Shipping.ReportingShipments;

/// <summary>Which marketplace packages a Shopify fulfilment is. Pure.
/// RMS reports per basket (送付先): the baskets holding the fulfilled SKUs, one package per tracking number (several
/// numbers = several boxes). Rakuten France reports per unit (item): as many not-yet-shipped units of each fulfilled
/// SKU, each with its own tracking number when there is one per unit, else the first.</summary>
public static class ShipmentPlanner
{
    /// <param name="carrier">The carrier as the marketplace names it, for one tracking number (its URL is built from it).</param>
    public static IReadOnlyList<ShipmentPackage> Plan(Channel channel, ChannelOrder order, IReadOnlyList<ShippedLine> shipped, Func<string?, CarrierInfo> carrier,
        IReadOnlyList<string> numbers, IReadOnlySet<string> unitsShippedBefore)
    {
        var bySku = shipped.Where(l => l.Sku is not null).GroupBy(l => l.Sku!).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        if (channel == Channel.RakutenFr)
        {
            var units = new List<(string Sku, string Item)>();
            foreach (var (sku, quantity) in bySku)
            {
                var free = order.Lines.Where(l => (l.Sku ?? l.MerchantSku) == sku).SelectMany(l => l.ChannelItemIds).Where(i => !unitsShippedBefore.Contains(i));
                units.AddRange(free.Take(quantity).Select(i => (sku, i)));
            }

            return units.Select((u, i) => numbers.Count == units.Count ? numbers[i] : numbers.FirstOrDefault())
                .Select((number, i) => new ShipmentPackage(units[i].Item, carrier(number), number, [new ShippedLine(units[i].Sku, units[i].Item, 1)])).ToList();
        }

        var packages = new List<ShipmentPackage>();
        foreach (var basket in order.Packages)
        {
            var lines = order.Lines.Where(l => basket.ChannelLineIds.Contains(l.ChannelLineId) && bySku.ContainsKey(l.Sku ?? l.MerchantSku ?? ""))
                .Select(l => new ShippedLine(l.Sku ?? l.MerchantSku, l.ChannelLineId, Math.Min(l.Quantity, bySku[l.Sku ?? l.MerchantSku!]))).ToList();
            if (lines.Count == 0)
            {
                continue;
            }

            packages.AddRange(numbers.Count == 0
                ? [new ShipmentPackage(basket.PackageId, carrier(null), null, lines)]
                : numbers.Select(n => new ShipmentPackage(basket.PackageId, carrier(n), n, lines)));
        }

        return packages;
    }

    /// <summary>RMS takes tracking numbers of at most 120 characters (reference §3.5).</summary>
    public static string? TooLong(IReadOnlyList<string> numbers) => numbers.FirstOrDefault(n => n.Length > 120);
}
