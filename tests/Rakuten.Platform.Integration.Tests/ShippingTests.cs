using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Shopify fulfilments back to the marketplaces (issue 8), on RabbitMQ, PostgreSQL and the Sandbox.</summary>
public sealed class ShippingTests
{
    private static async Task<Marketplace> StoreAsync()
    {
        var m = await Marketplace.StartAsync([("Mug", "MUG-1"), ("Bowl", "BOWL-2")]);
        await Marketplace.WaitAsync(async () => (await m.ListingsAsync("RakutenJp")).Count(l => l!["state"]!.GetValue<string>() == "Published") == 2, "both on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", 20);
        await SetShopifyStockAsync(m, "BOWL-2", 20);
        return m;
    }

    private static async Task<string> ManageAsync(Marketplace m, string sku) =>
        (await m.RmsItemsAsync()).Single(i => i!.ToJsonString().Contains($"\"merchantDefinedSkuId\":\"{sku}\""))!["manageNumber"]!.GetValue<string>();

    private static async Task<string?> StatusAsync(Marketplace m, string channelOrderId) =>
        (await OrdersAsync(m)).FirstOrDefault(o => o!["channelOrderId"]!.GetValue<string>() == channelOrderId)?["status"]?.GetValue<string>();

    private static async Task ExportedAsync(Marketplace m, string channelOrderId) =>
        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).Any(o => o!["channelOrderId"]!.GetValue<string>() == channelOrderId && o["shopifyOrderName"] is not null),
            $"order {channelOrderId} in Shopify", setup: m);

    private static async Task<JsonObject> RmsOrderAsync(Marketplace m, string number) =>
        (await m.Hosts.Sandbox.GetFromJsonAsync<JsonObject>($"/control/rms/shops/{Marketplace.RmsShop}/orders/{number}"))!;

    private static IEnumerable<(string Company, string Number, string Date)> Records(JsonObject rms, int basket) =>
        rms["PackageModelList"]![basket]!["ShippingModelList"]!.AsArray()
            .Select(s => (s!["deliveryCompany"]!.GetValue<string>(), s["shippingNumber"]!.GetValue<string>(), s["shippingDate"]!.GetValue<string>()));

    [Fact]
    public async Task An_RMS_order_ships_in_two_parts_one_with_two_boxes_each_basket_gets_its_carrier_code_and_the_order_ends_Delivered()
    {
        await using var m = await StoreAsync();
        var (mug, bowl) = (await ManageAsync(m, "MUG-1"), await ManageAsync(m, "BOWL-2"));
        var number = await PlaceAsync(m, new
        {
            buyer = new { familyName = "楽天", firstName = "花子", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1" },
            packages = new object[]
            {
                new { items = new[] { new { manageNumber = mug, merchantDefinedSkuId = "MUG-1", itemName = "マグ", price = 1500, units = 2 } } },
                new
                {
                    items = new[] { new { manageNumber = bowl, merchantDefinedSkuId = "BOWL-2", itemName = "ボウル", price = 2000, units = 1 } },
                    shipTo = new { familyName = "山田", firstName = "太郎", zipCode = "530-0001", prefecture = "大阪府", city = "大阪市北区", subAddress = "梅田1-1-1" },
                },
            },
        });
        await PollAsync(m);
        await ExportedAsync(m, number);

        // The mugs leave first, in two boxes with Yamato.
        var first = await FulfilAsync(m, number, "Yamato (JA)", ["4912-3456-7890", "4912-3456-7891"], null, ("MUG-1", 2));
        await Marketplace.WaitAsync(async () => (await ShipmentsAsync(m, number)).SingleOrDefault()?["status"]?.GetValue<string>() == "Confirmed", "the first shipment confirmed by RMS", setup: m);
        var rms = await RmsOrderAsync(m, number);
        var today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd");
        Records(rms, 0).Should().BeEquivalentTo([("1001", "4912-3456-7890", today), ("1001", "4912-3456-7891", today)]);
        rms["PackageModelList"]![1]!["ShippingModelList"]!.AsArray().Should().BeEmpty();
        rms["orderProgress"]!.GetValue<int>().Should().Be(300, "one basket is still to ship");
        await Marketplace.WaitAsync(async () => await StatusAsync(m, number) == "PartiallyShipped", "partly shipped", setup: m);
        (await OrderAsync(m, number))["order"]!["channelStatus"]!.GetValue<string>().Should().Be("300", "RMS keeps the order at 300 while a basket has no ship date");

        // Then the bowl, to the second address, with Sagawa: every basket has its ship date → RMS 500.
        var second = await FulfilAsync(m, number, "Sagawa (JA)", ["3601-2222-3333"], null, ("BOWL-2", 1));
        await Marketplace.WaitAsync(async () => (await ShipmentsAsync(m, number)).Count(s => s!["status"]!.GetValue<string>() == "Confirmed") == 2, "the second shipment confirmed", setup: m);
        rms = await RmsOrderAsync(m, number);
        Records(rms, 1).Should().BeEquivalentTo([("1002", "3601-2222-3333", today)]);
        rms["orderProgress"]!.GetValue<int>().Should().Be(500);
        await Marketplace.WaitAsync(async () => await StatusAsync(m, number) == "Shipped", "shipped", setup: m);
        // The platform's copy follows its own report at once — no status sweep needed; a sweep afterwards finds nothing new.
        await Marketplace.WaitAsync(async () => (await OrderAsync(m, number))["order"]!["channelStatus"]!.GetValue<string>() == "500", "RMS's 500 on the order", setup: m);
        var before = History(await OrderAsync(m, number)).Count();
        await SweepAsync(m);
        await Task.Delay(500);
        History(await OrderAsync(m, number)).Count().Should().Be(before, "the sweep sees RMS at the 500 the platform already has");

        await DeliveredAsync(m, first);
        await Task.Delay(500);
        (await StatusAsync(m, number)).Should().Be("Shipped", "one of two parcels delivered is not the order delivered");
        await DeliveredAsync(m, second);
        await Marketplace.WaitAsync(async () => await StatusAsync(m, number) == "Delivered", "delivered", setup: m);
        var order = await OrderAsync(m, number);
        order["shipments"]!.AsArray().Select(s => s!["status"]!.GetValue<string>()).Should().Equal("Delivered", "Delivered");
    }

    [Fact]
    public async Task Rakuten_France_units_get_their_transporter_and_tracking_URL_Autre_outside_the_list_and_an_unsupported_carrier_is_refused_on_the_order()
    {
        await using var m = await StoreAsync();
        await Marketplace.WaitAsync(async () => await FrQuantityAsync(m, "MUG-1") == 20 && await FrQuantityAsync(m, "BOWL-2") == 20, "stock on Rakuten France", setup: m);
        var sale = await SellAsync(m, FrSale(("MUG-1", 2), ("BOWL-2", 1)));
        var other = await SellAsync(m, FrSale(("MUG-1", 1)));
        await PollFrAsync(m);
        await ExportedAsync(m, sale.PurchaseId);
        await ExportedAsync(m, other.PurchaseId);

        await FulfilAsync(m, sale.PurchaseId, "Colissimo", ["6A12345678901"], null, ("MUG-1", 1));
        await Marketplace.WaitAsync(async () => (await ShipmentsAsync(m, sale.PurchaseId)).SingleOrDefault()?["status"]?.GetValue<string>() == "Confirmed", "the first unit's tracking", setup: m);
        JsonNode Item(JsonArray sales, long id) => sales.SelectMany(s => s!["items"]!.AsArray()).Single(i => i!["itemId"]!.GetValue<long>() == id)!;
        var sales = (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rakuten-fr/sellers/{Marketplace.Seller}/sales"))!;
        var shipped = sale.Items.Take(2).Select(i => Item(sales, i)).Single(i => i["status"]!.GetValue<string>() == "SHIPPED");
        (shipped["transporterName"]!.GetValue<string>(), shipped["trackingNumber"]!.GetValue<string>(), shipped["trackingUrl"]!.GetValue<string>())
            .Should().Be(("Colissimo", "6A12345678901", "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"));
        await PollFrAsync(m);
        await Marketplace.WaitAsync(async () => await StatusAsync(m, sale.PurchaseId) == "PartiallyShipped", "partly shipped", setup: m);

        // The rest with Yamato: not a Rakuten France transporter, so Autre with Yamato's tracking URL.
        await FulfilAsync(m, sale.PurchaseId, "Yamato (JA)", ["4912-0000-1111", "4912-0000-2222"], null, ("MUG-1", 1), ("BOWL-2", 1));
        await Marketplace.WaitAsync(async () => (await ShipmentsAsync(m, sale.PurchaseId)).Count(s => s!["status"]!.GetValue<string>() == "Confirmed") == 2, "the rest's tracking", setup: m);
        sales = (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rakuten-fr/sellers/{Marketplace.Seller}/sales"))!;
        sale.Items.Select(i => Item(sales, i)["status"]!.GetValue<string>()).Should().OnlyContain(s => s == "SHIPPED");
        // Two units, two boxes: each unit its own number; Yamato is not a Rakuten France transporter, so Autre with its URL.
        var second = sale.Items.Select(i => Item(sales, i)).Where(i => i["transporterName"]!.GetValue<string>() == "Autre").ToList();
        second.Select(i => i["trackingNumber"]!.GetValue<string>()).Should().BeEquivalentTo(["4912-0000-1111", "4912-0000-2222"]);
        second.Select(i => i["trackingUrl"]!.GetValue<string>()).Should().Contain("https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=4912-0000-2222");
        await Marketplace.WaitAsync(async () => await StatusAsync(m, sale.PurchaseId) == "Shipped", "shipped", setup: m);

        // A carrier Rakuten France does not take, and no tracking URL to give it: refused, and the merchant sees why.
        await FulfilAsync(m, other.PurchaseId, "Acme Freight", ["AF-1"], null, ("MUG-1", 1));
        await Marketplace.WaitAsync(async () => (await OrderAsync(m, other.PurchaseId))["shipments"]!.AsArray().Any(s => s!["status"]!.GetValue<string>() == "Rejected"), "the refusal on the order", setup: m);
        var refused = (await OrderAsync(m, other.PurchaseId))["shipments"]!.AsArray().Single()!;
        refused["error"]!.GetValue<string>().Should().StartWith("UNSUPPORTED_CARRIER: carrier Acme Freight is not supported by Rakuten France; supported: Colissimo, Chronopost, Mondial Relay");
        Item((await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rakuten-fr/sellers/{Marketplace.Seller}/sales"))!, other.Items[0])["status"]!.GetValue<string>()
            .Should().Be("ACCEPTED", "nothing was sent to Rakuten France");
        (await StatusAsync(m, other.PurchaseId)).Should().Be("Accepted");

        // Not a dead end. Retrying while nothing changed says why; the merchant maps the carrier, and the refused shipment
        // goes to Rakuten France by itself.
        var shipmentId = (await ShipmentsAsync(m, other.PurchaseId)).Single()!["shipmentId"]!.GetValue<string>();
        var attention = (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>("/orders/attention"))!;
        attention["rejectedShipments"]!.GetValue<int>().Should().Be(1);
        var item = attention["items"]!.AsArray().Single(i => i!["kind"]!.GetValue<string>() == "RejectedShipment")!;
        (item["shipmentId"]!.GetValue<string>(), item["channelOrderId"]!.GetValue<string>(), item["reason"]!.GetValue<string>())
            .Should().Be((shipmentId, other.PurchaseId, "UNSUPPORTED_CARRIER"));
        item["nextStep"]!.GetValue<string>().Should().Contain("PUT /shipping/carriers").And.Contain($"/shipping/shipments/{shipmentId}/retry");
        var early = await m.Hosts.Platform.PostAsync($"/shipping/shipments/{shipmentId}/retry", null);
        early.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await early.Content.ReadAsStringAsync()).Should().Contain("still refused").And.Contain("UNSUPPORTED_CARRIER").And.Contain("PUT /shipping/carriers");
        var mapped = await m.Hosts.Platform.PutAsJsonAsync("/shipping/carriers/Acme%20Freight", new { rakutenFrTransporter = "Autre", trackingUrl = "https://track.acme.example/{n}" });
        mapped.EnsureSuccessStatusCode();
        (await mapped.Content.ReadFromJsonAsync<JsonObject>())!["shipmentsResent"]!.GetValue<int>().Should().Be(1);
        await Marketplace.WaitAsync(async () => (await ShipmentsAsync(m, other.PurchaseId)).Single()!["status"]!.GetValue<string>() == "Confirmed",
            "the refused shipment sent again and confirmed", setup: m);
        var resentItem = Item((await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rakuten-fr/sellers/{Marketplace.Seller}/sales"))!, other.Items[0]);
        (resentItem["status"]!.GetValue<string>(), resentItem["transporterName"]!.GetValue<string>(), resentItem["trackingUrl"]!.GetValue<string>())
            .Should().Be(("SHIPPED", "Autre", "https://track.acme.example/AF-1"));
        await Marketplace.WaitAsync(async () => await StatusAsync(m, other.PurchaseId) == "Shipped", "the order shipped", setup: m);
        (await OrderAsync(m, other.PurchaseId))["shipments"]!.AsArray().Single()!["error"].Should().BeNull("the refusal is over");
        (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>("/orders/attention"))!["rejectedShipments"]!.GetValue<int>().Should().Be(0);
        (await m.Hosts.Platform.PostAsync($"/shipping/shipments/{shipmentId}/retry", null)).StatusCode.Should().Be(HttpStatusCode.Conflict, "a confirmed shipment is not sent twice");
        (await m.Hosts.Platform.PostAsync($"/shipping/shipments/{Guid.NewGuid()}/retry", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        await RebuildingProjectionsChangesNothingAsync(m);
    }

    [Fact]
    public async Task A_prepaid_label_sale_keeps_Rakutens_tracking_number_and_an_untracked_delivery_is_reported_by_unit()
    {
        await using var m = await StoreAsync();
        await Marketplace.WaitAsync(async () => await FrQuantityAsync(m, "MUG-1") == 20, "stock on Rakuten France", setup: m);
        var placed = (await (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rakuten-fr/sellers/{Marketplace.Seller}/sales", new
        {
            lines = new[] { new { sku = "MUG-1", quantity = 1 } },
            billingAddress = new { civility = "MME", lastName = "Dupont", firstName = "Jeanne", address1 = "12 rue des Lilas", zipCode = "69003", city = "Lyon", country = "FRANCE", countryAlpha2 = "FX" },
            deliveryAddress = new { civility = "MME", lastName = "Dupont", firstName = "Jeanne", address1 = "12 rue des Lilas", zipCode = "69003", city = "Lyon", country = "FRANCE", countryAlpha2 = "FX" },
            shippingType = "Colissimo", prepaidTrackingNumber = "8R00000000001",
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!;
        var purchase = placed["purchaseId"]!.ToString();
        await PollFrAsync(m);
        await ExportedAsync(m, purchase);

        await FulfilAsync(m, purchase, "Colissimo", ["MERCHANT-OWN-1"], null, ("MUG-1", 1));
        await Marketplace.WaitAsync(async () => (await ShipmentsAsync(m, purchase)).SingleOrDefault()?["status"]?.GetValue<string>() == "Confirmed", "the tracking set", setup: m);
        var item = (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rakuten-fr/sellers/{Marketplace.Seller}/sales"))!
            .Single(s => s!["purchaseId"]!.ToString() == purchase)!["items"]![0]!;
        item["trackingNumber"]!.GetValue<string>().Should().Be("8R00000000001");
        item["transporterName"]!.GetValue<string>().Should().Be("Colissimo");

        // A "Normal" delivery: no carrier, no number — Rakuten France is told the units left, by purchase and item id.
        var letter = await SellAsync(m, FrSale(("MUG-1", 2)));
        await PollFrAsync(m);
        await ExportedAsync(m, letter.PurchaseId);
        await FulfilAsync(m, letter.PurchaseId, null, [], null, ("MUG-1", 2));
        await Marketplace.WaitAsync(async () => (await ShipmentsAsync(m, letter.PurchaseId)).SingleOrDefault()?["status"]?.GetValue<string>() == "Confirmed", "the untracked units reported", setup: m);
        (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rakuten-fr/sellers/{Marketplace.Seller}/sales"))!
            .Single(s => s!["purchaseId"]!.ToString() == letter.PurchaseId)!["items"]!.AsArray().Select(i => i!["status"]!.GetValue<string>()).Should().Equal("SHIPPED", "SHIPPED");
        await Marketplace.WaitAsync(async () => await StatusAsync(m, letter.PurchaseId) == "Shipped", "shipped", setup: m);
    }

    [Fact]
    public async Task Duplicated_and_reordered_fulfilment_webhooks_make_one_report_and_an_RMS_refusal_shows_its_message_code()
    {
        await using var m = await StoreAsync();
        (await m.Hosts.Sandbox.PutAsJsonAsync("/control/shopify/settings", new { duplicateRate = 1.0, maxDelayMilliseconds = 300 })).EnsureSuccessStatusCode();
        var manage = await ManageAsync(m, "MUG-1");
        var shipped = await PlaceAsync(m, RmsOrder(manage, "MUG-1"));
        var cancelled = await PlaceAsync(m, RmsOrder(manage, "MUG-1"));
        await PollAsync(m);
        await ExportedAsync(m, shipped);
        await ExportedAsync(m, cancelled);

        var fulfilment = await FulfilAsync(m, shipped, "Japan Post (JA)", ["EJ123456789JP"], null, ("MUG-1", 1));
        await DeliveredAsync(m, fulfilment);
        await Marketplace.WaitAsync(async () => await StatusAsync(m, shipped) == "Delivered", "delivered", setup: m);
        await Task.Delay(1000); // every duplicate has arrived
        (await ShipmentsAsync(m, shipped)).Should().ContainSingle();
        Records(await RmsOrderAsync(m, shipped), 0).Should().ContainSingle().Which.Company.Should().Be("1003");

        // The buyer cancelled in RMS before the merchant shipped: RMS refuses the shipment with its code.
        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/orders/{cancelled}/progress", new { orderProgress = 900 })).EnsureSuccessStatusCode();
        await FulfilAsync(m, cancelled, "Yamato (JA)", ["4912-9999-0000"], null, ("MUG-1", 1));
        await Marketplace.WaitAsync(async () => (await ShipmentsAsync(m, cancelled)).SingleOrDefault()?["status"]?.GetValue<string>() == "Rejected", "RMS's refusal", setup: m);
        var error = (await ShipmentsAsync(m, cancelled)).Single()!["error"]!;
        error["code"]!.GetValue<string>().Should().Be("ORDER_EXT_API_UPDATE_ORDERSHIPPING_ERROR_102");
        error["message"]!.GetValue<string>().Should().Contain("キャンセル");
        (await OrderAsync(m, cancelled))["shipments"]![0]!["error"]!.GetValue<string>().Should().StartWith("ORDER_EXT_API_UPDATE_ORDERSHIPPING_ERROR_102");
    }

    [Fact]
    public async Task Every_RMS_carrier_code_from_1000_to_1031_reaches_RMS_from_a_Shopify_tracking_company()
    {
        await using var m = await StoreAsync();
        var manage = await ManageAsync(m, "MUG-1");
        var carriers = Rakuten.Platform.Shipping.ReportingShipments.CarrierRegistry.All.GroupBy(c => c.RakutenJpCode).Select(g => g.First()).ToList();
        carriers.Should().HaveCount(32);
        var orders = new List<(string Number, string Code, string Company)>();
        foreach (var carrier in carriers)
        {
            orders.Add((await PlaceAsync(m, RmsOrder(manage, "MUG-1")), carrier.RakutenJpCode, carrier.Aliases[0]));
        }

        await PollAsync(m);
        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).Count(o => o!["shopifyOrderName"] is not null) == orders.Count, "32 orders in Shopify", 120, setup: m);
        foreach (var (number, code, company) in orders)
        {
            await FulfilAsync(m, number, company, [$"T{code}"], null, ("MUG-1", 1));
        }

        await Marketplace.WaitAsync(async () => (await Task.WhenAll(orders.Select(o => StatusAsync(m, o.Number)))).All(s => s == "Shipped"), "32 shipments", 120, setup: m);
        foreach (var (number, code, company) in orders)
        {
            await Marketplace.WaitAsync(async () => (await ShipmentsAsync(m, number)).SingleOrDefault()?["status"]?.GetValue<string>() == "Confirmed", $"{company} confirmed", setup: m);
            Records(await RmsOrderAsync(m, number), 0).Single().Should().Be((code, $"T{code}", DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd")), company);
        }
    }

    [Fact]
    public async Task A_merchants_carrier_override_is_validated_and_used()
    {
        await using var m = await StoreAsync();
        var url = $"/shipping/carriers/Kuroneko%20Intl";
        var bad = await m.Hosts.Platform.PutAsJsonAsync(url, new { rakutenJpCode = "1099" });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("rakutenJpCode");
        (await m.Hosts.Platform.PutAsJsonAsync(url, new { rakutenJpCode = "1030" })).EnsureSuccessStatusCode();

        var number = await PlaceAsync(m, RmsOrder(await ManageAsync(m, "MUG-1"), "MUG-1"));
        await PollAsync(m);
        await ExportedAsync(m, number);
        var fulfillment = await FulfilAsync(m, number, "Kuroneko Intl", ["KI-77"], null, ("MUG-1", 1));
        await Marketplace.WaitAsync(async () => (await ShipmentsAsync(m, number)).SingleOrDefault()?["status"]?.GetValue<string>() == "Confirmed", "confirmed", setup: m);
        Records(await RmsOrderAsync(m, number), 0).Single().Company.Should().Be("1030");

        // The merchant corrects the tracking number in Shopify after it was reported: RMS's record takes the new number
        // (updated in place, not a second record).
        var detailId = (await RmsOrderAsync(m, number))["PackageModelList"]![0]!["ShippingModelList"]![0]!["shippingDetailId"]!.GetValue<long>();
        await Task.Delay(1100); // Shopify's updated_at has whole seconds: the correction must be seen as later
        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/fulfillments/{fulfillment.Split('/')[^1]}/tracking", new { numbers = new[] { "KI-78" } }))
            .EnsureSuccessStatusCode();
        await Marketplace.WaitAsync(async () => Records(await RmsOrderAsync(m, number), 0).Select(r => r.Number).SequenceEqual(["KI-78"]), "the corrected number in RMS", setup: m);
        (await RmsOrderAsync(m, number))["PackageModelList"]![0]!["ShippingModelList"]![0]!["shippingDetailId"]!.GetValue<long>().Should().Be(detailId);
        await Marketplace.WaitAsync(async () => (await ShipmentsAsync(m, number)).Single()!["status"]!.GetValue<string>() == "Confirmed"
                                                && (await ShipmentsAsync(m, number)).Single()!["trackingNumbers"]!.AsArray().Single()!.GetValue<string>() == "KI-78",
            "the shipment carries the new number, confirmed again", setup: m);
    }
}
