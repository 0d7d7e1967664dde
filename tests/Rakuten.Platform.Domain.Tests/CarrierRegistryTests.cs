using FluentAssertions;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Contracts.Shipping;
using Rakuten.Platform.Shipping.ReportingShipments;

namespace Rakuten.Platform.Domain.Tests;

public sealed class CarrierRegistryTests
{
    [Fact]
    public void Every_RMS_delivery_company_code_from_1000_to_1031_has_a_carrier_and_every_name_of_it_finds_that_code()
    {
        var codes = CarrierRegistry.All.Select(c => c.RakutenJpCode).Distinct().Order().ToList();
        codes.Should().Equal(Enumerable.Range(1000, 32).Select(c => c.ToString()));
        foreach (var carrier in CarrierRegistry.All)
        {
            foreach (var alias in carrier.Aliases)
            {
                CarrierRegistry.ForRakutenJp(alias, "1").RakutenJpCode.Should().Be(carrier.RakutenJpCode, alias);
                CarrierRegistry.ForRakutenJp(alias.ToUpperInvariant(), "1").RakutenJpCode.Should().Be(carrier.RakutenJpCode, "names match whatever their case");
            }
        }

        CarrierRegistry.ForRakutenJp("Carrier nobody knows", "1").RakutenJpCode.Should().Be("1000", "その他");
    }

    [Fact]
    public void Rakuten_France_gets_its_transporter_and_a_tracking_URL_built_from_the_number()
    {
        var (info, refusal) = CarrierRegistry.ForRakutenFr("La Poste", "6A 123", null);
        refusal.Should().BeNull();
        info!.RakutenFrTransporter.Should().Be("Colissimo");
        info.TrackingUrl.Should().Be("https://www.laposte.fr/outils/suivre-vos-envois?code=6A%20123");
        CarrierRegistry.ForRakutenFr("FedEx", "77", null).Info!.RakutenFrTransporter.Should().Be("Fedex");
    }

    [Fact]
    public void A_carrier_outside_Rakuten_Frances_list_is_Autre_with_a_URL_or_refused_naming_those_it_takes()
    {
        var (yamato, _) = CarrierRegistry.ForRakutenFr("Yamato (JA)", "4912", null);
        (yamato!.RakutenFrTransporter, yamato.TrackingUrl).Should().Be(("Autre", "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=4912"));
        var (own, _) = CarrierRegistry.ForRakutenFr("Acme Freight", "AF-1", "https://acme.example/track/AF-1");
        (own!.RakutenFrTransporter, own.TrackingUrl).Should().Be(("Autre", "https://acme.example/track/AF-1"));
        var (none, refusal) = CarrierRegistry.ForRakutenFr("Acme Freight", "AF-1", null);
        none.Should().BeNull();
        refusal.Should().StartWith("carrier Acme Freight is not supported by Rakuten France; supported: Colissimo, Chronopost, Mondial Relay, DPD, GLS, UPS, DHL, Fedex, TNT, Relais Colis, Colis Privé");
    }

    [Fact]
    public void A_tenants_override_wins_and_is_checked_field_by_field()
    {
        var overrides = new[] { new CarrierOverride("Yamato (JA)", "1030", null, null) };
        CarrierRegistry.ForRakutenJp("Yamato (JA)", "1", overrides).RakutenJpCode.Should().Be("1030");
        CarrierRegistry.Validate(new CarrierOverride("X", "1032", null, null)).Should().Contain("rakutenJpCode");
        CarrierRegistry.Validate(new CarrierOverride("X", null, "La Poste", null)).Should().Contain("rakutenFrTransporter");
        CarrierRegistry.Validate(new CarrierOverride("X", null, null, "ftp://x/{n}")).Should().Contain("trackingUrl");
        CarrierRegistry.Validate(new CarrierOverride("X", null, "Autre", null)).Should().Contain("trackingUrl is required");
        CarrierRegistry.Validate(new CarrierOverride("X", "1001", "Autre", "https://x.example/{n}")).Should().BeNull();
    }

    private static CarrierInfo Yamato(string? number) => CarrierRegistry.ForRakutenJp("Yamato", number);

    private static ChannelOrder Order(IReadOnlyList<OrderLine> lines, IReadOnlyList<OrderPackage> packages) =>
        new(new Buyer("b", null, null), null, null, lines, packages, new Money(0, "JPY"), [], new Money(0, "JPY"), new Money(0, "JPY"), new Money(0, "JPY"),
            null, null, false, false, null, DateTimeOffset.UtcNow, AmountsDetermined: true);

    private static OrderLine Line(string id, string sku, int quantity, params string[] items) =>
        new(id, sku, null, null, sku, sku, quantity, new Money(1, "EUR"), [], null, null, items, Managed: true);

    [Fact]
    public void An_RMS_fulfilment_is_a_package_per_tracking_number_in_the_baskets_holding_its_SKUs()
    {
        var order = Order([Line("1", "MUG-1", 2), Line("2", "BOWL-2", 1)], [new OrderPackage("10", null, ["1"]), new OrderPackage("20", null, ["2"])]);

        var packages = ShipmentPlanner.Plan(Channel.RakutenJp, order, [new ShippedLine("MUG-1", null, 2)], Yamato, ["A", "B"], new HashSet<string>());

        packages.Select(p => (p.PackageId, p.TrackingNumber)).Should().Equal(("10", "A"), ("10", "B"));
        ShipmentUnits.Of(packages).Should().Be(2, "two boxes of one basket carry its two mugs once");
    }

    [Fact]
    public void A_Rakuten_France_fulfilment_takes_units_not_shipped_before_each_with_its_own_number_when_there_is_one_per_unit()
    {
        var order = Order([Line("p-MUG-1", "MUG-1", 3, "101", "102", "103")], [new OrderPackage("p", null, ["p-MUG-1"])]);

        var packages = ShipmentPlanner.Plan(Channel.RakutenFr, order, [new ShippedLine("MUG-1", null, 2)], Yamato, ["N1", "N2"], new HashSet<string> { "101" });

        packages.Select(p => (p.PackageId, p.TrackingNumber)).Should().Equal(("102", "N1"), ("103", "N2"));
        packages[1].Carrier.TrackingUrl.Should().EndWith("number01=N2", "each box has its own tracking URL");
        ShipmentPlanner.Plan(Channel.RakutenFr, order, [new ShippedLine("MUG-1", null, 2)], Yamato, ["ONE"], new HashSet<string>())
            .Select(p => p.TrackingNumber).Should().Equal("ONE", "ONE");
    }
}
