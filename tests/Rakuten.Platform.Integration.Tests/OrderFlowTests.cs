using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.Shopify;
using Rakuten.Platform.Channels.Shopify.ExportingOrders;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>RMS orders → Orders → Shopify (issue 7, first part), on RabbitMQ, PostgreSQL and the Sandbox.</summary>
public sealed class OrderFlowTests
{
    [Fact]
    public async Task An_RMS_order_reaches_Shopify_once_with_its_channel_tags_and_lowers_Shopify_stock_once()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        (await m.Hosts.Sandbox.PutAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/inventory", new { sku = "MUG-1", available = 5 })).EnsureSuccessStatusCode();
        var number = await PlaceAsync(m, RmsOrder(await ManageNumberAsync(m), "MUG-1", units: 2));

        await PollAsync(m);
        await PollAsync(m); // a second round (or a second poller) finds the same order again
        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).SingleOrDefault()?["shopifyOrderName"] is not null, "the order exported to Shopify", setup: m);

        var order = (await OrdersAsync(m)).Single()!;
        order["status"]!.GetValue<string>().Should().Be("Accepted");
        order["channelOrderId"]!.GetValue<string>().Should().Be(number);
        var shopify = (await ShopifyOrdersAsync(m)).Single()!;
        shopify["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Contain(["channel:RakutenJp", $"channel-order:{number}"]);
        shopify["sourceName"]!.GetValue<string>().Should().Be("rakuten-platform");
        var levels = (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Marketplace.Shop}/inventory"))!;
        levels.Single()!["available"]!.GetValue<int>().Should().Be(3, "orderCreate decremented the 2 units once");
        // Confirmed in RMS once the platform accepted it, and the platform's copy of the status follows without waiting for a sweep.
        await Marketplace.WaitAsync(async () => (await m.Hosts.Sandbox.GetFromJsonAsync<JsonObject>($"/control/rms/shops/{Marketplace.RmsShop}/orders/{number}"))!
            ["orderProgress"]!.GetValue<int>() == 300, "the accepted order confirmed in RMS", setup: m);
        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).Single()!["channelStatus"]!.GetValue<string>() == "300", "the platform's copy of the RMS status", setup: m);
        var history = await m.Hosts.Platform.GetFromJsonAsync<JsonObject>($"/orders/{order["orderId"]}");
        var types = history!["history"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
        types.Take(2).Should().Equal("OrderReceived", "OrderWasAccepted");
        types.Skip(2).Should().BeEquivalentTo(["OrderWasExported", "OrderChannelStatusWasReported"], "RMS's 300 recorded as the platform confirmed it, once it reached Shopify");
    }

    [Fact]
    public async Task An_order_the_Shopify_adapter_cannot_export_is_held_by_Orders_with_the_adapter_s_reason()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        var managed = await ManageNumberAsync(m);
        // The merchant removes the Shopify store: the next accepted order has nowhere to go.
        (await m.Hosts.Platform.DeleteAsync($"/channels/shopify/connections/{m.Shopify}")).EnsureSuccessStatusCode();
        var number = await PlaceAsync(m, RmsOrder(managed, "MUG-1"));

        await PollAsync(m);
        await Marketplace.WaitAsync(async () => (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>("/orders/holds"))!.Count == 1, "the refused order held", setup: m);

        var hold = (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>("/orders/holds"))!.Single()!;
        hold["channelOrderId"]!.GetValue<string>().Should().Be(number);
        hold["reason"]!.GetValue<string>().Should().Be("ShopifyRefused");
        hold["detail"]!.GetValue<string>().Should().Be("No Shopify store is connected for this merchant.");
        var order = await OrderAsync(m, number);
        order["history"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).Should().Equal("OrderReceived", "OrderWasAccepted", "OrderWasHeld");

        // A refusal published the previous version's way (the adapter sending Orders' OrderHeld), still queued at an
        // upgrade: applied when it is news, ignored when the stream has it — Orders' own OrderHeld coming back included.
        var bus = m.Hosts.Services.GetRequiredService<MassTransit.IPublishEndpoint>();
        var orderId = Guid.Parse(order["order"]!["orderId"]!.GetValue<string>());
        OrderHeld Previous(string detail) => new(m.Tenant, Guid.Parse(m.Rms), orderId, Channel.RakutenJp, number, HoldReason.ShopifyRefused, detail, "Correct it, then retry.", DateTimeOffset.UtcNow);
        await bus.Publish(Previous("No Shopify store is connected for this merchant."));
        await bus.Publish(Previous("Shopify refused the order: lineItems.0.variantId: The variant does not exist. (INVALID)"));
        await Marketplace.WaitAsync(async () => (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>("/orders/holds"))!.Single()!["detail"]!.GetValue<string>().StartsWith("Shopify refused"),
            "the previous version's refusal applied", setup: m);
        (await OrderAsync(m, number))["history"]!.AsArray().Select(e => e!["type"]!.GetValue<string>())
            .Should().Equal("OrderReceived", "OrderWasAccepted", "OrderWasHeld", "OrderWasHeld");
    }

    [Fact]
    public async Task Unmanaged_and_unknown_SKU_orders_are_held_with_their_reason_and_the_unknown_SKU_goes_through_once_the_SKU_exists()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        var managed = await ManageNumberAsync(m);
        var unmanaged = await PlaceAsync(m, RmsOrder("mug-001", "MUG-1"));
        var unknown = await PlaceAsync(m, RmsOrder(managed, "BOWL-9"));

        await PollAsync(m);
        await Marketplace.WaitAsync(async () => (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/orders/holds"))!.Count == 2, "two holds", setup: m);

        var holds = (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/orders/holds"))!;
        var rms = holds.Single(h => h!["channelOrderId"]!.GetValue<string>() == unmanaged)!;
        rms["reason"]!.GetValue<string>().Should().Be("UnmanagedLine");
        rms["detail"]!.GetValue<string>().Should().Contain("contains items managed in Rakuten — fulfil it in RMS");
        var sku = holds.Single(h => h!["channelOrderId"]!.GetValue<string>() == unknown)!;
        sku["reason"]!.GetValue<string>().Should().Be("UnknownSku");
        sku["detail"]!.GetValue<string>().Should().Contain("SKU BOWL-9 ");
        sku["action"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        (await ShopifyOrdersAsync(m)).Should().BeEmpty();
        async Task<int> ProgressAsync(string number) =>
            (await m.Hosts.Sandbox.GetFromJsonAsync<JsonObject>($"/control/rms/shops/{Marketplace.RmsShop}/orders/{number}"))!["orderProgress"]!.GetValue<int>();
        await PollAsync(m);
        (await ProgressAsync(unknown)).Should().Be(100, "an order held on the platform is not confirmed in RMS: it never reached Shopify");
        var attention = (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>("/orders/attention"))!;
        attention["holds"]!.GetValue<int>().Should().Be(2);
        var unknownHold = attention["items"]!.AsArray().Single(i => i!["channelOrderId"]!.GetValue<string>() == unknown)!;
        unknownHold["reason"]!.GetValue<string>().Should().Be("UnknownSku");
        unknownHold["nextStep"]!.GetValue<string>().Should().Contain("/retry").And.Contain("RMS does not show it confirmed until it reaches Shopify");
        attention["items"]!.AsArray().Single(i => i!["channelOrderId"]!.GetValue<string>() == unmanaged)!["nextStep"]!.GetValue<string>().Should().Contain("/dismiss");

        // The merchant adds the SKU to a Shopify product: the held order is retried by itself.
        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products", Marketplace.Product("Bowl", "BOWL-9"))).EnsureSuccessStatusCode();
        await Marketplace.WaitAsync(async () => (await ShopifyOrdersAsync(m)).Count == 1, "the formerly unknown SKU's order in Shopify", setup: m);
        (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/orders/holds"))!.Single()!["channelOrderId"]!.GetValue<string>().Should().Be(unmanaged);
        await Marketplace.WaitAsync(async () => await ProgressAsync(unknown) == 300, "the released order confirmed in RMS", setup: m);
        (await ProgressAsync(unmanaged)).Should().Be(100, "an order with the merchant's own items is theirs to confirm");

        // A shop that wants every imported order confirmed at once, held or not, says so per connection.
        var settings = $"/channels/rakuten-jp/connections/{m.Rms}/order-settings";
        (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>(settings))!["confirmOn"]!.GetValue<string>().Should().Be("exported");
        var bad = await m.Hosts.Platform.PutAsJsonAsync(settings, new { confirmOn = "sometimes" });
        bad.StatusCode.Should().Be(System.Net.HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("confirmOn");
        (await m.Hosts.Platform.PutAsJsonAsync(settings, new { confirmOn = "received" })).EnsureSuccessStatusCode();
        var heldButConfirmed = await PlaceAsync(m, RmsOrder(managed, "CUP-7"));
        await PollAsync(m);
        await Marketplace.WaitAsync(async () => await ProgressAsync(heldButConfirmed) == 300, "confirmed on import, as the connection asks", setup: m);
        await Marketplace.WaitAsync(async () => (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/orders/holds"))!
            .Any(h => h!["channelOrderId"]!.GetValue<string>() == heldButConfirmed), "the order held all the same (unknown SKU)", setup: m);
    }

    [Fact]
    public async Task A_crash_around_orderCreate_finds_the_order_by_its_tag_or_creates_it_once_if_the_call_never_reached_Shopify()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        var orderId = Guid.NewGuid();
        var order = new ChannelOrder(new Buyer("楽天 花子", "hanako@example.jp", null),
            new PostalAddress("楽天 花子", null, "玉川1-14-1", null, "世田谷区", "東京都", "158-0094", "JP", null),
            null, [new OrderLine("1", "MUG-1", "v_x", "v_x-v", "MUG-1", "マグ", 1, new Money(1500, "JPY"), [], null, null, [], Managed: true)],
            [], new Money(500, "JPY"), [], new Money(0, "JPY"), new Money(0, "JPY"), new Money(2000, "JPY"), null, null, false, false, null, DateTimeOffset.UtcNow, AmountsDetermined: true);
        var export = new OrderExport
        {
            OrderId = orderId, TenantId = m.Tenant, ConnectionId = Guid.Parse(m.Shopify), SourceConnectionId = Guid.Parse(m.Rms), Channel = "RakutenJp",
            ChannelOrderId = "445566-20261122-0000000099", Order = JsonSerializer.Serialize(order, PlatformJson.Options), State = ExportState.Attempted,
            NextAttemptAt = DateTimeOffset.MinValue, CreatedAt = DateTimeOffset.UtcNow,
        };
        // The process died after Shopify created the order and before the answer was recorded: the intent says Attempted,
        // and Shopify has the order with its tag. A second one died before its call reached Shopify: Attempted, no order.
        var lost = new OrderExport
        {
            OrderId = Guid.NewGuid(), TenantId = m.Tenant, ConnectionId = export.ConnectionId, SourceConnectionId = export.SourceConnectionId, Channel = "RakutenJp",
            ChannelOrderId = "445566-20261122-0000000098", Order = export.Order, State = ExportState.Attempted, NextAttemptAt = DateTimeOffset.MinValue, CreatedAt = DateTimeOffset.UtcNow,
        };
        await using (var scope = m.Hosts.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
            db.OrderExports.AddRange(export, lost);
            await db.SaveChangesAsync();
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/shopify/{Marketplace.Shop}/admin/api/2026-01/graphql.json")
        {
            Content = JsonContent.Create(new
            {
                query = "mutation Create($order: OrderCreateOrderInput!) { orderCreate(order: $order) { order { id name } userErrors { message } } }",
                variables = new { order = new { lineItems = new[] { new { title = "マグ", quantity = 1 } }, tags = new[] { export.Tag } } },
            }),
        })
        {
            request.Headers.Add("X-Shopify-Access-Token", "shpat_catalog");
            (await m.Hosts.Sandbox.SendAsync(request)).EnsureSuccessStatusCode();
        }

        await using (var scope = m.Hosts.Services.CreateAsyncScope())
        {
            var exporter = scope.ServiceProvider.GetRequiredService<OrderExporter>();
            await exporter.ExportDueAsync(CancellationToken.None);
            await exporter.ExportDueAsync(CancellationToken.None);
        }

        (await ShopifyOrdersAsync(m)).Should().ContainSingle(o => o!["tags"]!.AsArray().Any(t => t!.GetValue<string>() == export.Tag));
        (await ShopifyOrdersAsync(m)).Should().ContainSingle(o => o!["tags"]!.AsArray().Any(t => t!.GetValue<string>() == lost.Tag), "not found by its tag: created, once");
        await using (var scope = m.Hosts.Services.CreateAsyncScope())
        {
            var rows = await scope.ServiceProvider.GetRequiredService<ShopifyDbContext>().OrderExports.AsNoTracking().Where(e => e.OrderId == orderId || e.OrderId == lost.OrderId).ToListAsync();
            rows.Should().HaveCount(2).And.OnlyContain(r => r.State == ExportState.Created && r.ShopifyOrderId != null);
        }
    }

    [Fact]
    public async Task A_development_stores_five_orders_a_minute_are_met_by_waiting_not_by_failing()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")], plan: "development");
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        var managed = await ManageNumberAsync(m);
        for (var i = 0; i < 7; i++)
        {
            await PlaceAsync(m, RmsOrder(managed, "MUG-1"));
        }

        await PollAsync(m);
        await Marketplace.WaitAsync(async () => (await ShopifyOrdersAsync(m)).Count == 5
                                                && (await OrdersAsync(m)).Count(o => o!["status"]!.GetValue<string>() == "Accepted") == 7, "five orders in the first minute", setup: m);
        await Task.Delay(1000);
        (await ShopifyOrdersAsync(m)).Should().HaveCount(5, "Shopify takes five a minute on a development store");
        (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/orders/holds"))!.Should().BeEmpty("waiting for the next minute is not a hold");

        // The next minute: the two waiting orders go through.
        (await m.Hosts.Sandbox.PostAsJsonAsync("/control/clock/advance", new { seconds = 61 })).EnsureSuccessStatusCode();
        m.Hosts.Clock.Now = m.Hosts.Clock.Now.AddSeconds(61);
        await Marketplace.WaitAsync(async () => (await ShopifyOrdersAsync(m)).Count == 7, "all seven orders", setup: m);
        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).All(o => o!["shopifyOrderName"] != null), "every order marked exported", setup: m);
        (await ShopifyOrdersAsync(m)).Should().HaveCount(7, "waiting made no order twice");
    }

    [Fact]
    public async Task Every_field_of_a_complex_RMS_order_and_a_relay_point_sale_reaches_the_platform_order_and_Shopify()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1"), ("Bowl", "BOWL-2")]);
        await Marketplace.WaitAsync(async () => (await m.ListingsAsync("RakutenJp")).Count(l => l!["state"]!.GetValue<string>() == "Published") == 2, "both on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", 10);
        await SetShopifyStockAsync(m, "BOWL-2", 10);
        var items = await m.RmsItemsAsync();
        string Manage(string sku) => items.Single(i => i!.ToJsonString().Contains($"\"merchantDefinedSkuId\":\"{sku}\""))!["manageNumber"]!.GetValue<string>();
        var (mug, bowl) = (Manage("MUG-1"), Manage("BOWL-2"));
        var orderedAt = new DateTimeOffset(2026, 11, 20, 10, 30, 0, TimeSpan.FromHours(9));
        var number = await PlaceAsync(m, new
        {
            buyer = new { familyName = "楽天", firstName = "花子", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1", phone = "03-1234-5678" },
            email = "hanako@example.jp",
            orderedAt,
            packages = new object[]
            {
                new { items = new[] { new { manageNumber = mug, variantId = mug + "-v", merchantDefinedSkuId = "MUG-1", itemName = "マグ", price = 1500, units = 2 } }, postagePrice = 500 },
                new
                {
                    items = new[] { new { manageNumber = bowl, variantId = bowl + "-v", merchantDefinedSkuId = "BOWL-2", itemName = "ボウル", price = 2000, units = 1 } },
                    shipTo = new { familyName = "山田", firstName = "太郎", zipCode = "530-0001", prefecture = "大阪府", city = "大阪市北区", subAddress = "梅田1-1-1", phone = "06-1111-2222" },
                    postagePrice = 700,
                },
            },
            coupons = new[] { new { code = "SHOP10", name = "店舗クーポン", price = 300 }, new { code = "RAKU5", name = "楽天クーポン", price = 200 } },
            usedPoint = 150,
            express = true,
            gift = true,
            remarks = "[配送日時指定:]\n午前中希望",
        });
        await PollAsync(m);
        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).SingleOrDefault()?["shopifyOrderName"] is not null, "the order in Shopify", setup: m);

        var detail = (await OrderAsync(m, number))["detail"]!;
        detail["lines"]!.AsArray().Select(l => (l!["sku"]!.GetValue<string>(), l["quantity"]!.GetValue<int>(), l["unitPrice"]!["amount"]!.GetValue<decimal>(), l["manageNumber"]!.GetValue<string>()))
            .Should().Equal(("MUG-1", 2, 1500m, mug), ("BOWL-2", 1, 2000m, bowl));
        var packages = detail["packages"]!.AsArray();
        packages.Should().HaveCount(2);
        packages[0]!["shipTo"]!["name"]!.GetValue<string>().Should().Be("楽天 花子");
        packages[1]!["shipTo"]!["name"]!.GetValue<string>().Should().Be("山田 太郎");
        packages[1]!["shipTo"]!["postalCode"]!.GetValue<string>().Should().Be("530-0001");
        detail["buyer"]!["email"]!.GetValue<string>().Should().EndWith("@pc.fw.rakuten.ne.jp", "RMS gives the buyer's relay address, not theirs");
        detail["buyer"]!["phone"]!.GetValue<string>().Should().Be("03-1234-5678");
        detail["billingAddress"]!["province"]!.GetValue<string>().Should().Be("東京都");
        detail["shippingFee"]!["amount"]!.GetValue<decimal>().Should().Be(1200);
        detail["coupons"]!.AsArray().Select(c => (c!["code"]!.GetValue<string>(), c["amount"]!["amount"]!.GetValue<decimal>())).Should().Equal(("SHOP10", 300m), ("RAKU5", 200m));
        detail["pointsUsed"]!["amount"]!.GetValue<decimal>().Should().Be(150);
        detail["total"]!["amount"]!.GetValue<decimal>().Should().Be(3000 + 2000 + 1200 - 500 - 150);
        detail["tax"]!["amount"]!.GetValue<decimal>().Should().BeGreaterThan(0);
        detail["paymentMethod"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        detail["deliveryMethod"]!.GetValue<string>().Should().Be("宅配便");
        // What the mapping does not read is on the order all the same, by its path in RMS's OrderModel.
        var unmapped = detail["unmapped"]!.AsObject();
        unmapped.Select(f => f.Key).Should().Contain(["PackageModelList[0].ItemModelList[0].pointRate", "orderType"]);
        unmapped.Select(f => f.Key).Should().NotContain("orderNumber", "a mapped field is not repeated");
        detail["express"]!.GetValue<bool>().Should().BeTrue();
        detail["gift"]!.GetValue<bool>().Should().BeTrue();
        detail["buyerNotes"]!.GetValue<string>().Should().Contain("午前中希望");
        detail["orderedAt"]!.GetValue<DateTimeOffset>().Should().Be(orderedAt);

        var input = (await ShopifyOrdersAsync(m)).Single()!["input"]!;
        input["lineItems"]!.AsArray().Select(l => l!["quantity"]!.GetValue<int>()).Should().Equal(2, 1);
        input["currency"]!.GetValue<string>().Should().Be("JPY");
        input["email"]!.GetValue<string>().Should().Be(detail["buyer"]!["email"]!.GetValue<string>());
        input["note"]!.GetValue<string>().Should().Contain("午前中希望");
        input["shippingAddress"]!["zip"]!.GetValue<string>().Should().Be("158-0094");
        input["discountCode"]!["itemFixedDiscountCode"]!["amountSet"]!["shopMoney"]!["amount"]!.GetValue<string>().Should().Be("500");
        input["shippingLines"]![0]!["priceSet"]!["shopMoney"]!["amount"]!.GetValue<string>().Should().Be("1200");
        var attributes = input["customAttributes"]!.AsArray().ToDictionary(a => a!["key"]!.GetValue<string>(), a => a!["value"]!.GetValue<string>());
        attributes["express"].Should().Be("true");
        attributes["gift"].Should().Be("true");
        attributes["points_used"].Should().Be("150");
        attributes["package_2_ship_to"].Should().Contain("山田 太郎").And.Contain("530-0001");

        // A relay-point sale on Rakuten France: shipped to the relay point, named after the buyer.
        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rakuten-fr/sellers/{Marketplace.Seller}/sales", new
        {
            lines = new[] { new { sku = "MUG-1", quantity = 2, price = 8.5m } },
            billingAddress = new { civility = "MME", lastName = "Dupont", firstName = "Jeanne", address1 = "12 rue des Lilas", zipCode = "69003", city = "Lyon", country = "FRANCE", countryAlpha2 = "FX", phone = "0600000000" },
            relayPoint = new { id = "012345", name = "Tabac du Centre", address = "3 place de la Mairie", zipCode = "69002", city = "Lyon", country = "FRANCE" },
            shippingType = "Point relais Mondial Relay",
            shippingPrice = 4.9m,
        })).EnsureSuccessStatusCode();
        await Marketplace.WaitAsync(async () => await FrQuantityAsync(m, "MUG-1") is > 2, "the mug's quantity on Rakuten France", setup: m);
        await PollFrAsync(m);
        await Marketplace.WaitAsync(async () => (await ShopifyOrdersAsync(m)).Count == 2, "the sale in Shopify", setup: m);
        var sale = (await ShopifyOrdersAsync(m))[1]!["input"]!;
        sale["currency"]!.GetValue<string>().Should().Be("EUR");
        sale["shippingAddress"]!["company"]!.GetValue<string>().Should().Be("Tabac du Centre (relay point 012345)");
        sale["shippingAddress"]!["address1"]!.GetValue<string>().Should().Be("3 place de la Mairie");
        sale["billingAddress"]!["address1"]!.GetValue<string>().Should().Be("12 rue des Lilas");
        sale["shippingLines"]![0]!["title"]!.GetValue<string>().Should().Be("Point relais Mondial Relay");
        sale["lineItems"]!.AsArray().Single()!["quantity"]!.GetValue<int>().Should().Be(2);
        sale["lineItems"]!.AsArray().Single()!["priceSet"]!["shopMoney"]!["amount"]!.GetValue<string>().Should().Be("8.5", "each unit's sale price, in EUR");
        sale["shippingLines"]![0]!["priceSet"]!["shopMoney"]!["amount"]!.GetValue<string>().Should().Be("4.90", "the shipping the buyer paid, from getbillinginformation");
        var frDetail = (await OrdersAsync(m)).Single(o => o!["channel"]!.GetValue<string>() == "RakutenFr")!["orderId"]!.GetValue<string>();
        var frOrder = (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>($"/orders/{frDetail}"))!["detail"]!;
        frOrder["shippingFee"]!["amount"]!.GetValue<decimal>().Should().Be(4.9m);
        frOrder["total"]!["amount"]!.GetValue<decimal>().Should().Be(2 * 8.5m + 4.9m);
    }

    [Fact]
    public async Task Four_hundred_RMS_orders_and_120_Rakuten_France_sales_become_exactly_520_Shopify_orders_with_a_poll_cut_off_and_two_pollers_at_once()
    {
        // The scale is the benchmark's (tests/Benchmarks orders); here enough for the first poll to be cut off mid-way.
        const int rmsCount = 400, frCount = 120;
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", 5000);
        await Marketplace.WaitAsync(async () => await FrQuantityAsync(m, "MUG-1") == 5000, "the mug's quantity on Rakuten France", setup: m);
        var managed = await ManageNumberAsync(m);
        await Parallel.ForEachAsync(Enumerable.Range(0, rmsCount), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) => await PlaceAsync(m, RmsOrder(managed, "MUG-1")));
        await Parallel.ForEachAsync(Enumerable.Range(0, frCount), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) => await SellAsync(m, FrSale(("MUG-1", 1 + i % 2))));

        // The first poll is cut off in the middle (the process dies, say); the next polls resume from the stored position.
        (await m.Hosts.Sandbox.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 2 })).EnsureSuccessStatusCode();
        m.Hosts.Clock.Now = DateTimeOffset.UtcNow.AddSeconds(2);
        using (var cut = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            var poller = m.Hosts.Services.GetRequiredService<RmsOrderPoller>();
            await FluentActions.Awaiting(() => poller.PollAllAsync(cut.Token)).Should().ThrowAsync<OperationCanceledException>();
        }

        (await m.Hosts.Sandbox.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 0 })).EnsureSuccessStatusCode();
        // Two pollers of each marketplace at once (two replicas, say): each order is still imported once.
        await Task.WhenAll(PollAsync(m), PollAsync(m), PollFrAsync(m), PollFrAsync(m));
        await Task.WhenAll(PollAsync(m), PollFrAsync(m));
        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).Count(o => o!["shopifyOrderName"] != null) == rmsCount + frCount, $"{rmsCount + frCount} orders in Shopify", 240, setup: m);

        var shopify = await ShopifyOrdersAsync(m);
        shopify.Should().HaveCount(rmsCount + frCount);
        shopify.Select(o => o!["tags"]!.AsArray().Single(t => t!.GetValue<string>().StartsWith("channel-order:"))!.GetValue<string>()).Should().OnlyHaveUniqueItems();
        shopify.Count(o => o!["sourceIdentifier"]!.GetValue<string>().StartsWith("RakutenFr:")).Should().Be(frCount);
        shopify.Where(o => o!["sourceIdentifier"]!.GetValue<string>().StartsWith("RakutenFr:")).Sum(o => o!["lineItems"]!["nodes"]![0]!["quantity"]!.GetValue<int>())
            .Should().Be(Enumerable.Range(0, frCount).Sum(i => 1 + i % 2), "each sale's units are one line per SKU");
        (await OrdersAsync(m)).Should().HaveCount(rmsCount + frCount);
    }
}
