using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Inventory;
using Rakuten.Platform.Inventory.AllocatingStock;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Orders after their import (issue 7): the status sweep, cancellations both ways, Rakuten France sales, the
/// last unit sold on two marketplaces, an RMS maintenance window — on RabbitMQ, PostgreSQL and the Sandbox.</summary>
public sealed class OrderLifecycleTests
{
    private static async Task<Marketplace> MugOnRmsAsync(int stock, params (string Title, string Sku)[] more)
    {
        var m = await Marketplace.StartAsync([("Mug", "MUG-1"), .. more]);
        await Marketplace.WaitAsync(async () => (await m.ListingsAsync("RakutenJp")).Count(l => l!["state"]!.GetValue<string>() == "Published") == 1 + more.Length, "the listings on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", stock);
        return m;
    }

    private static async Task<JsonObject> ExportedAsync(Marketplace m, string channelOrderId)
    {
        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).Any(o => o!["channelOrderId"]!.GetValue<string>() == channelOrderId && o["shopifyOrderName"] is not null),
            $"order {channelOrderId} in Shopify", setup: m);
        return await OrderAsync(m, channelOrderId);
    }

    private static async Task<JsonNode> ShopifyOrderAsync(Marketplace m, string channelOrderId) =>
        (await ShopifyOrdersAsync(m)).Single(o => o!["tags"]!.AsArray().Any(t => t!.GetValue<string>() == $"channel-order:{channelOrderId}"))!;

    private static async Task<string?> StatusAsync(Marketplace m, string channelOrderId) =>
        (await OrdersAsync(m)).FirstOrDefault(o => o!["channelOrderId"]!.GetValue<string>() == channelOrderId)?["status"]?.GetValue<string>();

    [Fact]
    public async Task A_buyers_cancellation_in_RMS_cancels_the_Shopify_order_and_gives_its_stock_back()
    {
        await using var m = await MugOnRmsAsync(stock: 5);
        var number = await PlaceAsync(m, RmsOrder(await ManageNumberAsync(m), "MUG-1", units: 2));
        await PollAsync(m);
        await ExportedAsync(m, number);
        await Marketplace.WaitAsync(async () => await ShopifyStockAsync(m, "MUG-1") == 3, "Shopify stock lowered by the order", setup: m);
        await Marketplace.WaitAsync(async () => (await OrderAsync(m, number))["order"]!["channelStatus"]!.GetValue<string>() == "300", "the order confirmed in RMS", setup: m);

        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/orders/{number}/progress", new { orderProgress = 800 })).EnsureSuccessStatusCode();
        await SweepAsync(m);
        await Marketplace.WaitAsync(async () => await StatusAsync(m, number) == "CancellationRequested", "the cancellation request seen", setup: m);
        (await ShopifyOrderAsync(m, number))["cancelledAt"].Should().BeNull("800 is a request Rakuten has not confirmed");

        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/orders/{number}/progress", new { orderProgress = 900 })).EnsureSuccessStatusCode();
        await SweepAsync(m);
        await SweepAsync(m); // nothing new: nothing repeated
        await Marketplace.WaitAsync(async () => (await ShopifyOrderAsync(m, number))["cancelledAt"] is not null, "the Shopify order cancelled", setup: m);
        await Marketplace.WaitAsync(async () => await ShopifyStockAsync(m, "MUG-1") == 5, "the two units back in Shopify", setup: m);

        var order = await OrderAsync(m, number);
        order["order"]!["status"]!.GetValue<string>().Should().Be("Cancelled");
        order["order"]!["channelStatus"]!.GetValue<string>().Should().Be("900");
        order["cancellation"]!["initiator"]!.GetValue<string>().Should().Be("Channel");
        // 300 recorded when the platform confirmed the order in RMS once it reached Shopify (Orders may hear the two in
        // either order: they come from two services), then the buyer's 800 and 900.
        var history = History(order).ToList();
        history.Take(2).Should().Equal("OrderReceived", "OrderWasAccepted");
        history.Skip(2).Take(2).Should().BeEquivalentTo(["OrderWasExported", "OrderChannelStatusWasReported"]);
        history.Skip(4).Should().Equal("OrderStatusWasChanged", "OrderStatusWasChanged", "OrderWasCancelled");
        (await ShopifyOrdersAsync(m)).Should().ContainSingle("cancelling never creates or duplicates an order");
    }

    [Fact]
    public async Task A_merchant_cancels_through_the_platform_RMS_cancels_with_the_reason_code_and_a_refusal_shows_Rakutens_code()
    {
        await using var m = await MugOnRmsAsync(stock: 10);
        var manage = await ManageNumberAsync(m);
        var first = await PlaceAsync(m, RmsOrder(manage, "MUG-1"));
        var second = await PlaceAsync(m, RmsOrder(manage, "MUG-1"));
        await PollAsync(m);
        var one = await ExportedAsync(m, first);
        var two = await ExportedAsync(m, second);
        var cancelOne = $"/orders/{one["order"]!["orderId"]}/cancel";

        (await m.Hosts.Platform.PostAsJsonAsync(cancelOne, new { reason = "Whim" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await m.Hosts.Platform.PostAsJsonAsync(cancelOne, new { reason = "OutOfStock" })).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Marketplace.WaitAsync(async () => await StatusAsync(m, first) == "Cancelled", "the order cancelled through RMS", setup: m);
        var rms = (await m.Hosts.Sandbox.GetFromJsonAsync<JsonObject>($"/control/rms/shops/{Marketplace.RmsShop}/orders/{first}"))!;
        rms["orderProgress"]!.GetValue<int>().Should().Be(900);
        rms["ChangeReasonModelList"]!.AsArray().Select(r => r!["changeReasonDetail"]?.GetValue<int>()).Should().Contain(8, "out of stock is RMS reason 8 (欠品)");
        await Marketplace.WaitAsync(async () => (await ShopifyOrderAsync(m, first))["cancelledAt"] is not null, "the Shopify order cancelled", setup: m);
        (await m.Hosts.Platform.PostAsJsonAsync(cancelOne, new { reason = "OutOfStock" })).StatusCode.Should().Be(HttpStatusCode.Conflict);

        // The second shipped in RMS before the sweep saw it: RMS refuses, and the order is as it was, with RMS's code.
        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/orders/{second}/progress", new { orderProgress = 500 })).EnsureSuccessStatusCode();
        (await m.Hosts.Platform.PostAsJsonAsync($"/orders/{two["order"]!["orderId"]}/cancel", new { reason = "BuyerRequest" })).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Marketplace.WaitAsync(async () => (await OrderAsync(m, second))["cancellation"]?["refusal"] is not null, "RMS's refusal on the order", setup: m);
        var refused = await OrderAsync(m, second);
        refused["order"]!["status"]!.GetValue<string>().Should().Be("Accepted");
        refused["cancellation"]!["refusal"]!.GetValue<string>().Should().StartWith("ORDER_EXT_API_CANCEL_ORDER_ERROR_102");
        (await ShopifyOrderAsync(m, second))["cancelledAt"].Should().BeNull();
        await SweepAsync(m);
        await Marketplace.WaitAsync(async () => await StatusAsync(m, second) == "Shipped", "the sweep's 500", setup: m);
        var timeline = (await OrderAsync(m, first))["history"]!.AsArray();
        timeline.Single(e => e!["type"]!.GetValue<string>() == "OrderCancellationWasRequested")!["actor"]!.GetValue<string>()
            .Should().StartWith("user:", "the merchant's request names who asked");
        timeline.Single(e => e!["type"]!.GetValue<string>() == "OrderWasCancelled")!["actor"]!.GetValue<string>().Should().Be("consumer:ChannelOrderStatusChangedConsumer");
        timeline.Should().OnlyContain(e => !string.IsNullOrEmpty(e!["summary"]!.GetValue<string>()));
        await RebuildingProjectionsChangesNothingAsync(m);
    }

    [Fact]
    public async Task An_order_held_for_an_undetermined_amount_goes_through_once_RMS_settles_it()
    {
        await using var m = await MugOnRmsAsync(stock: 5);
        var order = await PlaceAsync(m, new
        {
            buyer = new { familyName = "楽天", firstName = "花子", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1" },
            packages = new[] { new { items = new[] { new { manageNumber = await ManageNumberAsync(m), merchantDefinedSkuId = "MUG-1", itemName = "マグ", price = 1500 } } } },
            amountsUndetermined = true,
        });
        await PollAsync(m);
        await Marketplace.WaitAsync(async () => await StatusAsync(m, order) == "Held", "the hold", setup: m);
        (await OrderAsync(m, order))["order"]!["hold"]!["reason"]!.GetValue<string>().Should().Be("AmountNotDetermined");

        (await m.Hosts.Sandbox.PostAsync($"/control/rms/shops/{Marketplace.RmsShop}/orders/{order}/settle-amounts", null)).EnsureSuccessStatusCode();
        await SweepAsync(m);
        await ExportedAsync(m, order);
        History(await OrderAsync(m, order)).Should().Contain("OrderContentChanged");
    }

    [Fact]
    public async Task A_malformed_RMS_order_is_held_with_its_parse_error_while_the_others_go_through()
    {
        await using var m = await MugOnRmsAsync(stock: 10);
        var manage = await ManageNumberAsync(m);
        var first = await PlaceAsync(m, RmsOrder(manage, "MUG-1"));
        var broken = await PlaceAsync(m, RmsOrder(manage, "MUG-1"));
        var last = await PlaceAsync(m, RmsOrder(manage, "MUG-1"));
        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/orders/{broken}/corrupt", new { field = "orderDatetime", value = "yesterday" }))
            .EnsureSuccessStatusCode();

        await PollAsync(m);
        await ExportedAsync(m, first);
        await ExportedAsync(m, last);
        await Marketplace.WaitAsync(async () => await StatusAsync(m, broken) == "Held", "the broken order held", setup: m);
        var hold = (await OrderAsync(m, broken))["order"]!["hold"]!;
        hold["reason"]!.GetValue<string>().Should().Be("MalformedPayload");
        hold["detail"]!.GetValue<string>().Should().Contain("orderDatetime 'yesterday' is not an RMS date");
        (await ShopifyOrdersAsync(m)).Should().HaveCount(2);
    }

    [Fact]
    public async Task Rakuten_France_units_are_accepted_by_stock_grouped_by_SKU_and_cancelled_both_ways()
    {
        await using var m = await MugOnRmsAsync(stock: 5, ("Bowl", "BOWL-2"));
        await SetShopifyStockAsync(m, "BOWL-2", 0);
        await Marketplace.WaitAsync(async () => await FrQuantityAsync(m, "MUG-1") == 5 && await FrQuantityAsync(m, "BOWL-2") == 0, "the quantities on Rakuten France", setup: m);

        var mixed = await SellAsync(m, FrSale(("MUG-1", 2), ("BOWL-2", 1)));
        var bowl = await SellAsync(m, FrSale(("BOWL-2", 1)));
        await PollFrAsync(m);
        await PollFrAsync(m); // a second round decides nothing again and imports nothing twice
        var mixedOrder = await ExportedAsync(m, mixed.PurchaseId);

        var sales = (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/channels/rakuten-fr/connections/{m.Fr}/sales"))!;
        sales.Where(s => s!["sku"]!.GetValue<string>() == "MUG-1").Should().OnlyContain(s => s!["decision"]!.GetValue<string>() == "Accepted");
        var refused = sales.Where(s => s!["sku"]!.GetValue<string>() == "BOWL-2").ToList();
        refused.Should().HaveCount(2).And.OnlyContain(s => s!["decision"]!.GetValue<string>() == "Refused" && s["status"]!.GetValue<string>() == "REFUSED");
        refused[0]!["reason"]!.GetValue<string>().Should().Contain("no stock for SKU BOWL-2");
        var line = mixedOrder["detail"]!["lines"]!.AsArray().Single()!;
        line["sku"]!.GetValue<string>().Should().Be("MUG-1");
        line["quantity"]!.GetValue<int>().Should().Be(2);
        line["channelItemIds"]!.AsArray().Select(i => long.Parse(i!.GetValue<string>())).Should().BeEquivalentTo(mixed.Items.Take(2));
        (await OrdersAsync(m)).Should().NotContain(o => o!["channelOrderId"]!.GetValue<string>() == bowl.PurchaseId, "a sale refused whole is never an order");
        (await ShopifyOrderAsync(m, mixed.PurchaseId))["lineItems"]!["nodes"]!.AsArray().Single()!["quantity"]!.GetValue<int>().Should().Be(2);

        // The buyer cancels one unit on Rakuten France: that unit is released; the order goes on.
        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rakuten-fr/sellers/{Marketplace.Seller}/items/{mixed.Items[0]}/status", new { status = "CANCELLED" })).EnsureSuccessStatusCode();
        await PollFrAsync(m);
        await Marketplace.WaitAsync(async () => History(await OrderAsync(m, mixed.PurchaseId)).Contains("OrderWasCancelled"), "the unit's cancellation", setup: m);
        (await StatusAsync(m, mixed.PurchaseId)).Should().Be("Accepted");

        // The merchant cancels a whole sale through the platform: cancelitem per unit, then cancelled everywhere.
        var single = await SellAsync(m, FrSale(("MUG-1", 1)));
        await PollFrAsync(m);
        var singleOrder = await ExportedAsync(m, single.PurchaseId);
        (await m.Hosts.Platform.PostAsJsonAsync($"/orders/{singleOrder["order"]!["orderId"]}/cancel", new { reason = "OutOfStock", comment = "Rupture de stock, désolé." }))
            .StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Marketplace.WaitAsync(async () => await StatusAsync(m, single.PurchaseId) == "Cancelled", "the sale cancelled", setup: m);
        var item = (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rakuten-fr/sellers/{Marketplace.Seller}/sales"))!
            .Single(s => s!["purchaseId"]!.ToString() == single.PurchaseId)!["items"]!.AsArray().Single()!;
        item["status"]!.GetValue<string>().Should().Be("CANCELLED");
        item["cancelComment"]!.GetValue<string>().Should().Be("Rupture de stock, désolé.");
        await Marketplace.WaitAsync(async () => (await ShopifyOrderAsync(m, single.PurchaseId))["cancelledAt"] is not null, "its Shopify order cancelled", setup: m);
    }

    [Fact]
    public async Task The_last_unit_ordered_at_once_on_Rakuten_JP_and_Rakuten_France_is_sold_once_and_the_French_sale_is_refused()
    {
        await using var m = await MugOnRmsAsync(stock: 1);
        await Marketplace.WaitAsync(async () => await FrQuantityAsync(m, "MUG-1") == 1, "the last unit on Rakuten France", setup: m);
        var number = await PlaceAsync(m, RmsOrder(await ManageNumberAsync(m), "MUG-1"));
        var sale = await SellAsync(m, FrSale(("MUG-1", 1)));

        // RMS orders cannot be refused: the platform learns them first; the French unit is decided against what is left.
        await PollAsync(m);
        await Marketplace.WaitAsync(async () => await FrQuantityAsync(m, "MUG-1") == 0, "the RMS order's reservation on Rakuten France", setup: m);
        await PollFrAsync(m);

        await ExportedAsync(m, number);
        var unit = (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/channels/rakuten-fr/connections/{m.Fr}/sales"))!.Single()!;
        unit["decision"]!.GetValue<string>().Should().Be("Refused");
        unit["status"]!.GetValue<string>().Should().Be("REFUSED");
        (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rakuten-fr/sellers/{Marketplace.Seller}/sales"))!
            .Single(s => s!["purchaseId"]!.ToString() == sale.PurchaseId)!["items"]!.AsArray().Single()!["status"]!.GetValue<string>().Should().Be("REFUSED");
        (await ShopifyOrdersAsync(m)).Should().ContainSingle();
        (await ShopifyStockAsync(m, "MUG-1")).Should().Be(0);
    }

    [Fact]
    public async Task Two_minutes_of_RMS_maintenance_delay_orders_and_lose_none()
    {
        await using var m = await MugOnRmsAsync(stock: 50);
        var manage = await ManageNumberAsync(m);
        var before = new List<string>();
        for (var i = 0; i < 3; i++) before.Add(await PlaceAsync(m, RmsOrder(manage, "MUG-1")));
        (await m.Hosts.Sandbox.PostAsJsonAsync("/control/faults", new { api = "rms", endpoint = "*", kind = "Maintenance", rate = 1.0 })).EnsureSuccessStatusCode();

        // Four polling rounds, 30 seconds apart on the platform's clock, all answered 503.
        var start = DateTimeOffset.UtcNow;
        for (var round = 0; round < 4; round++)
        {
            before.Add(await PlaceAsync(m, RmsOrder(manage, "MUG-1")));
            await PollAtAsync(m, start.AddSeconds(30 * round));
        }

        (await OrdersAsync(m)).Should().BeEmpty("nothing could be read during the maintenance");
        (await m.Hosts.Sandbox.DeleteAsync("/control/faults")).EnsureSuccessStatusCode();
        await PollAtAsync(m, start.AddMinutes(2).AddSeconds(5));

        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).Count(o => o!["shopifyOrderName"] is not null) == before.Count, "every order in Shopify after the window", setup: m);
        (await OrdersAsync(m)).Select(o => o!["channelOrderId"]!.GetValue<string>()).Should().BeEquivalentTo(before);
        (await ShopifyOrdersAsync(m)).Should().HaveCount(before.Count);
    }

    [Fact]
    public async Task An_OrderAccepted_that_reaches_inventory_after_its_OrderExported_holds_no_stock()
    {
        // Under load Inventory's accepted queue can lag its exported queue by a minute: each step must leave the same
        // units held whatever the order of arrival. Sent straight to Inventory's queues, so no other service acts.
        await using var m = await MugOnRmsAsync(stock: 5);
        var bus = m.Hosts.Services.GetRequiredService<ISendEndpointProvider>();
        var late = Guid.NewGuid();
        var marker = Guid.NewGuid();
        ChannelOrder Order(int units) => new(new Buyer("楽天 花子", "hanako@example.jp", null),
            new PostalAddress("楽天 花子", null, "玉川1-14-1", null, "世田谷区", "東京都", "158-0094", "JP", null),
            null, [new OrderLine("1", "MUG-1", "v_x", "v_x-v", "MUG-1", "マグ", units, new Money(1500, "JPY"), [], null, null, [], Managed: true)],
            [], new Money(500, "JPY"), [], new Money(0, "JPY"), new Money(0, "JPY"), new Money(2000, "JPY"), null, null, false, false, null, DateTimeOffset.UtcNow, AmountsDetermined: true);
        OrderAccepted Accepted(Guid orderId, int units) => new(m.Tenant, Guid.Parse(m.Rms), orderId, Channel.RakutenJp, $"late-{orderId:N}", Order(units), DateTimeOffset.UtcNow);

        await (await bus.GetSendEndpoint(new Uri("queue:inventory-order-exported")))
            .Send(new OrderExported(m.Tenant, Guid.Parse(m.Shopify), late, "gid://shopify/Order/1", "#1001", DateTimeOffset.UtcNow));
        await Marketplace.WaitAsync(() => LedgerAsync(m, late, l => l.Ended), "the export recorded by inventory", setup: m);
        var accepted = await bus.GetSendEndpoint(new Uri("queue:inventory-order-accepted"));
        await accepted.Send(Accepted(late, units: 2));
        await accepted.Send(Accepted(marker, units: 1)); // queued after it: once it is in, so is the late one
        await Marketplace.WaitAsync(() => LedgerAsync(m, marker, l => l.Accepted is not null), "the marker order reserved", setup: m);

        var stock = (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/inventory/stock?sku=MUG-1"))!.Single()!;
        stock["reserved"]!.GetValue<int>().Should().Be(1, "only the marker order holds a unit; the late acceptance of an exported order holds none");
        stock["channels"]!.AsArray().Single(c => c!["connectionId"]!.GetValue<string>() == m.Rms)!["quantity"]!.GetValue<int>().Should().Be(4);
        (await LedgerAsync(m, late, l => l.Accepted is not null && l.Ended)).Should().BeTrue("the late acceptance is recorded on the ended order");
    }

    private static async Task<bool> LedgerAsync(Marketplace m, Guid orderId, Func<OrderReservation, bool> condition)
    {
        await using var scope = m.Hosts.Services.CreateAsyncScope();
        var ledger = await scope.ServiceProvider.GetRequiredService<InventoryDbContext>().OrderReservations.AsNoTracking().FirstOrDefaultAsync(o => o.OrderId == orderId);
        return ledger is not null && condition(ledger);
    }
}
