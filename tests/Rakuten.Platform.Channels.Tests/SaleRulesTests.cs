using System.Xml.Linq;
using FluentAssertions;
using Rakuten.Platform.Channels.RakutenFr.ImportingSales;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;

namespace Rakuten.Platform.Channels.Tests;

public sealed class SaleRulesTests
{
    [Fact]
    public void A_unit_is_accepted_only_while_the_quantity_exceeds_the_units_already_accepted()
    {
        SaleRules.Decide(false, "MUG-1", 2, 1).Decision.Should().Be(SaleRules.Accepted);
        var refused = SaleRules.Decide(false, "MUG-1", 2, 2);
        refused.Decision.Should().Be(SaleRules.Refused);
        refused.Reason.Should().Be("no stock for SKU MUG-1: quantity 2, 2 unit(s) already accepted");
        SaleRules.Decide(false, "MUG-1", null, 0).Reason.Should().Be("no stock known for SKU MUG-1 on Rakuten France");
        SaleRules.Decide(false, "", 5, 0).Decision.Should().Be(SaleRules.Refused);
    }

    [Fact]
    public void Accept_all_accepts_even_without_stock() =>
        SaleRules.Decide(true, "MUG-1", 0, 3).Decision.Should().Be(SaleRules.Accepted);

    [Theory]
    [InlineData("ACCEPTED,ACCEPTED", "ACCEPTED")]
    [InlineData("ACCEPTED,CANCELLED", "PARTIALLY_CANCELLED")]
    [InlineData("CANCELLED,CANCELLED", "CANCELLED")]
    [InlineData("SHIPPED,ACCEPTED", "PARTIALLY_SHIPPED")]
    [InlineData("SHIPPED,CANCELLED", "SHIPPED")]
    [InlineData("RECEIVED,SHIPPED", "SHIPPED")]
    public void A_sale_is_what_its_items_add_up_to(string items, string expected) =>
        SaleRules.Summary(items.Split(',')).Should().Be(expected);

    private static XElement Item(long id, string sku, decimal price, string status = "ACCEPTED") => new("item",
        new XElement("sku", new XCData(sku)), new XElement("advertid", "77"), new XElement("itemid", id), new XElement("headline", new XCData("Mug " + sku)),
        new XElement("itemstatus", status), new XElement("price", new XElement("amount", price.ToString(System.Globalization.CultureInfo.InvariantCulture)), new XElement("currency", "EUR")));

    [Fact]
    public void The_units_of_a_relay_point_sale_become_lines_by_SKU_shipped_to_the_relay_point()
    {
        XNamespace ns = "http://pmcdn.priceminister.com/res/schema/getcurrentsales";
        var sale = new XElement("sale",
            new XElement("purchaseid", "4242"),
            new XElement("purchasedate", "15/07/2026-14:05"),
            new XElement("deliveryinformation",
                new XElement("shippingtype", "Point relais Mondial Relay"),
                new XElement("purchasebuyerlogin", "jdupont"),
                new XElement("purchasebuyeremail", "jdupont@example.fr"),
                new XElement("collectionpointaddress", new XElement("lastname", "Dupont"), new XElement("firstname", "Jeanne"), new XElement("id", "012345"),
                    new XElement("name", "Tabac du Centre"), new XElement("address", "3 place de la Mairie"), new XElement("zipcode", "69002"), new XElement("city", "Lyon")),
                new XElement("billingaddress", new XElement("lastname", "Dupont"), new XElement("firstname", "Jeanne"), new XElement("address1", "12 rue des Lilas"),
                    new XElement("zipcode", "69003"), new XElement("city", "Lyon"), new XElement("countryalpha2", "FX"), new XElement("phonenumber1", "0600000000"))),
            new XElement("items", Item(1, "MUG-1", 9.5m), Item(2, "MUG-1", 9.5m), Item(3, "BOWL-2", 12m), Item(4, "MUG-1", 9.5m, "CANCELLED")));
        foreach (var e in sale.DescendantsAndSelf()) e.Name = ns + e.Name.LocalName; // namespaces vary by action: read by local name

        var order = FrSaleMapping.ToChannelOrder(sale, i => i.Elements().First(e => e.Name.LocalName == "itemstatus").Value == "ACCEPTED");

        order.Lines.Select(l => (l.Sku, l.Quantity, l.UnitPrice.Amount, string.Join(",", l.ChannelItemIds)))
            .Should().Equal(("MUG-1", 2, 9.5m, "1,2"), ("BOWL-2", 1, 12m, "3"));
        order.Total.Should().Be(new Contracts.Money(31m, "EUR"));
        order.ShipTo!.Company.Should().Be("Tabac du Centre (relay point 012345)");
        order.ShipTo.Line1.Should().Be("3 place de la Mairie");
        order.BillingAddress!.CountryCode.Should().Be("FR", "Rakuten's FX is metropolitan France");
        order.Buyer.Should().Be(new Contracts.Orders.Buyer("Jeanne Dupont", "jdupont@example.fr", "0600000000"));
        order.DeliveryMethod.Should().Be("Point relais Mondial Relay");
        order.OrderedAt.Should().Be(new DateTimeOffset(2026, 7, 15, 12, 5, 0, TimeSpan.Zero), "Paris summer time is UTC+2");
        order.Unmapped.Should().ContainKey("items.item[0].itemstatus").WhoseValue.Should().Be("ACCEPTED", "what the mapping does not read is kept, by its path");
        order.Unmapped!.Keys.Should().NotContain(k => k.EndsWith(".sku") || k.EndsWith("purchaseid") || k.Contains("billingaddress.city"), "mapped fields are not repeated");
    }
}
