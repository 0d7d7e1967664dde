using Rakuten.Platform.Channels.Common;
using System.Globalization;
using System.Xml.Linq;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using static Rakuten.Platform.Channels.RakutenFr.RakutenFrApi.FrWebServices;

namespace Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;

/// <summary>A Rakuten France sale (getcurrentsales) → the platform's ChannelOrder. Rakuten sells one item per unit:
/// the items are grouped into one line per SKU, each line keeping its item ids (every later action is per item).
/// Relay-point deliveries ship to the collection point, named after the buyer with the point's name as company.</summary>
public static class FrSaleMapping
{
    private const string Euro = "EUR";
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    public static ChannelOrder ToChannelOrder(XElement sale, Func<XElement, bool> include)
    {
        var delivery = Element(sale, "deliveryinformation") ?? throw new FormatException("the sale has no deliveryinformation");
        var billing = Address(Element(delivery, "billingaddress"));
        var items = (Element(sale, "items")?.Elements() ?? []).Where(e => e.Name.LocalName == "item").Where(include).ToList();
        if (items.Count == 0)
        {
            throw new FormatException("the sale has no items to import");
        }

        var lines = items
            .GroupBy(i => Child(i, "sku"))
            .Select(g => new OrderLine(
                $"{Child(sale, "purchaseid")}-{g.Key}",
                g.Key.Length == 0 ? null : g.Key,
                null,
                Child(g.First(), "advertid"),
                g.Key.Length == 0 ? null : g.Key,
                Child(g.First(), "headline"),
                g.Count(),
                new Money(Amount(Element(g.First(), "price")), Euro),
                [],
                null,
                null,
                g.Select(i => Child(i, "itemid")).ToList(),
                Managed: true))
            .ToList();
        var shipTo = Address(Element(delivery, "deliveryaddress")) ?? RelayPoint(Element(delivery, "collectionpointaddress"));
        var shippingType = Child(delivery, "shippingtype");
        var total = lines.Sum(l => l.UnitPrice.Amount * l.Quantity);
        return new ChannelOrder(
            new Buyer(billing?.Name ?? Child(delivery, "purchasebuyerlogin"), NullIfEmpty(Child(delivery, "purchasebuyeremail")), billing?.Phone),
            shipTo,
            billing,
            lines,
            [new OrderPackage(Child(sale, "purchaseid"), shipTo, lines.Select(l => l.ChannelLineId).ToList())],
            // The sale carries no shipping price (getbillinginformation has it per item: WithBilling); nor tax, nor coupons.
            new Money(0m, Euro),
            [],
            new Money(0m, Euro),
            new Money(0m, Euro),
            new Money(total, Euro),
            "Rakuten France",
            shippingType.Length == 0 ? null : shippingType,
            shippingType.Contains("express", StringComparison.OrdinalIgnoreCase) || shippingType.Contains("chronopost", StringComparison.OrdinalIgnoreCase),
            false,
            null,
            PurchaseDate(Child(sale, "purchasedate")),
            AmountsDetermined: true,
            Unmapped: MarketplaceFields.Unmapped(sale, Mapped));
    }

    /// <summary><c>dd/MM/yyyy-HH:mm</c>, Paris time (§A.2).</summary>
    public static DateTimeOffset PurchaseDate(string text)
    {
        var local = DateTime.ParseExact(text, "dd/MM/yyyy-HH:mm", CultureInfo.InvariantCulture);
        return new DateTimeOffset(local, Paris.GetUtcOffset(local)).ToUniversalTime();
    }

    private static PostalAddress? Address(XElement? a)
    {
        if (a is null || Child(a, "address1").Length == 0)
        {
            return null;
        }

        var country = Child(a, "countryalpha2");
        return new PostalAddress(
            $"{Child(a, "firstname")} {Child(a, "lastname")}".Trim(), null, Child(a, "address1"), NullIfEmpty(Child(a, "address2")),
            Child(a, "city"), null, Child(a, "zipcode"),
            // Rakuten writes metropolitan France as FX (§A.2); Shopify knows it as FR.
            country is "FX" or "" ? "FR" : country,
            NullIfEmpty(Child(a, "phonenumber1")));
    }

    /// <summary>Rakuten France's relay networks (Mondial Relay, Relais Colis, Chronopost) deliver in France here.</summary>
    private static PostalAddress? RelayPoint(XElement? p) => p is null || Child(p, "address").Length == 0
        ? null
        : new PostalAddress($"{Child(p, "firstname")} {Child(p, "lastname")}".Trim(), $"{Child(p, "name")} (relay point {Child(p, "id")})",
            Child(p, "address"), null, Child(p, "city"), null, Child(p, "zipcode"), "FR", null);

    private static decimal Amount(XElement? money) =>
        decimal.TryParse(money is null ? "" : Child(money, "amount"), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : 0m;

    /// <summary>The sale with what getbillinginformation adds: the shipping the buyer paid for its units (the sum of their
    /// <c>shippingsaleprice</c>), in the order's shipping fee and total.</summary>
    public static ChannelOrder WithBilling(ChannelOrder order, XElement billing)
    {
        var units = order.Lines.SelectMany(l => l.ChannelItemIds).ToHashSet();
        var shipping = billing.Descendants().Where(e => e.Name.LocalName == "item" && units.Contains(Child(e, "itemid")))
            .Sum(e => Amount(Element(e, "shippingsaleprice")));
        return order with { ShippingFee = new Money(shipping, Euro), Total = order.Total with { Amount = order.Total.Amount + shipping } };
    }

    /// <summary>The sale's elements the mapping above reads; everything else Rakuten gives is kept on the order as it came.</summary>
    private static readonly HashSet<string> Mapped =
    [
        "purchaseid", "purchasedate", "sku", "advertid", "headline", "itemid", "amount", "shippingtype", "purchasebuyeremail", "purchasebuyerlogin",
        "firstname", "lastname", "address1", "address2", "city", "zipcode", "countryalpha2", "phonenumber1", "address", "name", "id",
    ];

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
