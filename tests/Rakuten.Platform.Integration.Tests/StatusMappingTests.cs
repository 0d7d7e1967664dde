using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>A connection's status mapping (issue 22): the documented defaults, a merchant's own rules checked field by
/// field, and what they do to the Shopify order as RMS moves the order — tags added, the fulfilment held while a
/// cancellation awaits RMS's confirmation and released after, and a cancellation that only tags the Shopify order.</summary>
public sealed class StatusMappingTests
{
    private static async Task<JsonNode> ShopifyOrderAsync(Marketplace m, string number) =>
        (await ShopifyOrdersAsync(m)).Single(o => o!["tags"]!.AsArray().Any(t => t!.GetValue<string>() == $"channel-order:{number}"))!;

    private static IEnumerable<string> Tags(JsonNode order) => order["tags"]!.AsArray().Select(t => t!.GetValue<string>());

    private static string FulfillmentStatus(JsonNode order) => order["fulfillmentOrders"]!["nodes"]![0]!["status"]!.GetValue<string>();

    [Fact]
    public async Task The_mapping_tags_holds_and_keeps_the_Shopify_order_as_RMS_moves_it_and_bad_rules_are_refused_by_field()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => (await m.ListingsAsync("RakutenJp")).Any(l => l!["state"]!.GetValue<string>() == "Published"), "the mug on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", 10);
        var path = $"/orders/connections/{m.Rms}/status-mapping";

        var defaults = (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>(path))!["rules"]!.AsArray();
        defaults.Select(r => r!["channelStatus"]!.GetValue<string>()).Should().Equal("100", "200", "300", "400", "500", "600", "700", "800", "900");
        defaults.Should().OnlyContain(r => r!["source"]!.GetValue<string>() == "default");
        defaults.Where(r => r!["holdFulfillment"]!.GetValue<bool>()).Select(r => r!["channelStatus"]!.GetValue<string>()).Should().Equal("400", "800");
        defaults.Single(r => r!["channelStatus"]!.GetValue<string>() == "900")!["cancelInShopify"]!.GetValue<bool>().Should().BeTrue();

        foreach (var (rule, field) in new (object, string)[]
                 {
                     (new { channelStatus = "950", status = "Shipped" }, "rules[0].channelStatus"),
                     (new { channelStatus = "300", status = "Held" }, "rules[0].status"),
                     (new { channelStatus = "500", status = "Shipped", cancelInShopify = true }, "rules[0].cancelInShopify"),
                     (new { channelStatus = "300", status = "Accepted", tags = new[] { "a,b" } }, "rules[0].tags"),
                 })
        {
            var refused = await m.Hosts.Platform.PutAsJsonAsync(path, new { rules = new[] { rule } });
            refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await refused.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
        }

        (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>(path))!["rules"]!.AsArray().Should().OnlyContain(r => r!["source"]!.GetValue<string>() == "default", "a refused table changes nothing");
        var saved = await m.Hosts.Platform.PutAsJsonAsync(path, new
        {
            rules = new object[]
            {
                new { channelStatus = "300", status = "Accepted", tags = new[] { "rakuten:to-ship" } },
                new { channelStatus = "800", status = "CancellationRequested", tags = new[] { "rakuten:cancel-requested" }, holdFulfillment = true },
                new { channelStatus = "900", status = "Cancelled", tags = new[] { "rakuten:cancelled" }, cancelInShopify = false },
            },
        });
        saved.StatusCode.Should().Be(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());

        var number = await PlaceAsync(m, RmsOrder(await ManageNumberAsync(m), "MUG-1", units: 2));
        await PollAsync(m);
        // Confirmed in RMS once in Shopify: 300, whose rule tags the Shopify order.
        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).Any(o => o!["channelOrderId"]!.GetValue<string>() == number && o["shopifyOrderName"] is not null),
            "the order in Shopify", setup: m);
        await Marketplace.WaitAsync(async () => Tags(await ShopifyOrderAsync(m, number)).Contains("rakuten:to-ship"), "the 300 tag on the Shopify order", setup: m);
        var detail = await OrderAsync(m, number);
        detail["statusMapping"]!["channelStatus"]!.GetValue<string>().Should().Be("300");
        detail["statusMapping"]!["source"]!.GetValue<string>().Should().Be("connection");

        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/orders/{number}/progress", new { orderProgress = 800 })).EnsureSuccessStatusCode();
        await SweepAsync(m);
        await Marketplace.WaitAsync(async () => FulfillmentStatus(await ShopifyOrderAsync(m, number)) == "ON_HOLD", "the fulfilment held while RMS confirms the cancellation", setup: m);
        Tags(await ShopifyOrderAsync(m, number)).Should().Contain(["rakuten:to-ship", "rakuten:cancel-requested"], "tags are added, never taken away");

        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/orders/{number}/progress", new { orderProgress = 900 })).EnsureSuccessStatusCode();
        await SweepAsync(m);
        await Marketplace.WaitAsync(async () => Tags(await ShopifyOrderAsync(m, number)).Contains("rakuten:cancelled") && FulfillmentStatus(await ShopifyOrderAsync(m, number)) == "OPEN",
            "the cancelled tag, and the hold released", setup: m);
        await Marketplace.WaitAsync(() => Task.FromResult(m.Hosts.Logs.Lines.Any(l => l.Contains("its Shopify order is kept, as the status mapping says", StringComparison.Ordinal))),
            "the Shopify adapter to have decided on the cancellation", setup: m);
        (await ShopifyOrderAsync(m, number))["cancelledAt"].Should().BeNull("the mapping keeps the Shopify order of a marketplace cancellation");
        (await OrderAsync(m, number))["order"]!["status"]!.GetValue<string>().Should().Be("Cancelled");
    }
}
