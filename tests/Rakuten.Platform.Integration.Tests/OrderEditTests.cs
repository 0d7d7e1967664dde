using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Partial changes (issue 22): units of a Rakuten France sale cancelled, and an RMS order whose lines change
/// before it ships, edit the Shopify order (orderEditBegin / SetQuantity / AddVariant / Commit) — never a second order —
/// restocking what is taken off; the order's timeline shows each step.</summary>
public sealed class OrderEditTests
{
    private static JsonNode? Line(JsonNode shopifyOrder, string sku) =>
        shopifyOrder["lineItems"]!["nodes"]!.AsArray().SingleOrDefault(l => l!["sku"]?.GetValue<string>() == sku);

    private static int Current(JsonNode shopifyOrder, string sku) => Line(shopifyOrder, sku)?["currentQuantity"]!.GetValue<int>() ?? 0;

    private static decimal Subtotal(JsonNode shopifyOrder) =>
        decimal.Parse(shopifyOrder["currentSubtotalPriceSet"]!["shopMoney"]!["amount"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_French_unit_cancelled_and_RMS_lines_changed_edit_the_Shopify_order_and_restock_only_what_left_it()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1"), ("Bowl", "BOWL-2")]);
        await Marketplace.WaitAsync(async () => (await m.ListingsAsync("RakutenJp")).Count(l => l!["state"]!.GetValue<string>() == "Published") == 2, "the listings on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", 10);
        await SetShopifyStockAsync(m, "BOWL-2", 10);
        await Marketplace.WaitAsync(async () => await FrQuantityAsync(m, "MUG-1") == 10, "the quantity on Rakuten France", setup: m);

        // Rakuten France: three mugs sold, then the buyer cancels one of them.
        var sale = await SellAsync(m, FrSale(("MUG-1", 3)));
        await PollFrAsync(m);
        await InShopifyAsync(m, sale.PurchaseId);
        await Marketplace.WaitAsync(async () => await ShopifyStockAsync(m, "MUG-1") == 7, "Shopify's stock lowered by the sale", setup: m);
        var unitPrice = Subtotal(await ShopifyOrderAsync(m, sale.PurchaseId)) / 3;

        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rakuten-fr/sellers/{Marketplace.Seller}/items/{sale.Items[0]}/status", new { status = "CANCELLED" })).EnsureSuccessStatusCode();
        await PollFrAsync(m);
        await Marketplace.WaitAsync(async () => Current(await ShopifyOrderAsync(m, sale.PurchaseId), "MUG-1") == 2, "the Shopify order edited to two mugs", setup: m);
        var french = await ShopifyOrderAsync(m, sale.PurchaseId);
        Line(french, "MUG-1")!["quantity"]!.GetValue<int>().Should().Be(3, "Shopify keeps the quantity the line was created with");
        Subtotal(french).Should().Be(unitPrice * 2, "the Shopify order comes to what the two units left on Rakuten France cost");
        french["edits"]!.AsArray().Should().ContainSingle().Which!.GetValue<string>().Should().Contain("1 unit(s) cancelled on RakutenFr");
        await Marketplace.WaitAsync(async () => await ShopifyStockAsync(m, "MUG-1") == 8, "the cancelled unit restocked in Shopify", setup: m);
        await Marketplace.WaitAsync(async () => History(await OrderAsync(m, sale.PurchaseId)).Contains("OrderShopifyEditWasReported"), "the edit on the order's timeline", setup: m);
        (await StatusOf(m, sale.PurchaseId)).Should().Be("Accepted", "the two other units still ship");

        // RMS: one mug ordered; before it ships the buyer takes a second mug and adds a bowl (RMS 400).
        var mugItem = (await m.RmsItemsAsync()).First(i => i!.ToJsonString().Contains("MUG-1"))!["manageNumber"]!.GetValue<string>();
        var number = await PlaceAsync(m, RmsOrder(mugItem, "MUG-1", units: 1));
        await PollAsync(m);
        await InShopifyAsync(m, number);
        await Marketplace.WaitAsync(async () => await ShopifyStockAsync(m, "MUG-1") == 7, "Shopify's stock lowered by the RMS order", setup: m);

        var items = $"/control/rms/shops/{Marketplace.RmsShop}/orders/{number}/items";
        (await m.Hosts.Sandbox.PostAsJsonAsync(items, new { merchantDefinedSkuId = "MUG-1", units = 2 })).EnsureSuccessStatusCode();
        (await m.Hosts.Sandbox.PostAsJsonAsync(items, new { merchantDefinedSkuId = "BOWL-2", units = 1, itemName = "ボウル", price = 2000 })).EnsureSuccessStatusCode();
        await SweepAsync(m);
        await Marketplace.WaitAsync(async () => Current(await ShopifyOrderAsync(m, number), "BOWL-2") == 1, "the bowl added to the Shopify order", setup: m);
        var japanese = await ShopifyOrderAsync(m, number);
        Current(japanese, "MUG-1").Should().Be(2);
        japanese["edits"]!.AsArray().Should().ContainSingle().Which!.GetValue<string>().Should().Contain($"Lines changed on RakutenJp (order {number})");
        await Marketplace.WaitAsync(async () => await ShopifyStockAsync(m, "MUG-1") == 6 && await ShopifyStockAsync(m, "BOWL-2") == 9,
            "the added units taken from Shopify's stock", setup: m);
        var history = (await OrderAsync(m, number))["history"]!.AsArray().Select(e => e!["summary"]?.GetValue<string>() ?? e!["type"]!.GetValue<string>()).ToList();
        history.Should().Contain(h => h.StartsWith("lines changed on the marketplace: 1 × MUG-1 → ") && h.Contains("2 × MUG-1") && h.Contains("1 × BOWL-2"),
            "the order shows what the marketplace changed");
        await Marketplace.WaitAsync(async () => History(await OrderAsync(m, number)).Contains("OrderShopifyEditWasReported"), "the Shopify edit on the order's timeline", setup: m);

        // Nothing new on the marketplace: nothing edited again, and never a second Shopify order.
        await SweepAsync(m);
        await PollFrAsync(m);
        (await ShopifyOrderAsync(m, number))["edits"]!.AsArray().Should().ContainSingle();
        (await ShopifyOrderAsync(m, sale.PurchaseId))["edits"]!.AsArray().Should().ContainSingle();
        (await ShopifyOrdersAsync(m)).Should().HaveCount(2, "an edited order is never created again");
    }

    private static Task InShopifyAsync(Marketplace m, string channelOrderId) =>
        Marketplace.WaitAsync(async () => (await OrdersAsync(m)).Any(o => o!["channelOrderId"]!.GetValue<string>() == channelOrderId && o["shopifyOrderName"] is not null),
            $"order {channelOrderId} in Shopify", setup: m);

    private static async Task<string?> StatusOf(Marketplace m, string channelOrderId) =>
        (await OrdersAsync(m)).FirstOrDefault(o => o!["channelOrderId"]!.GetValue<string>() == channelOrderId)?["status"]?.GetValue<string>();
}
