using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>An RMS shop's order history (issue 22): the first poll reads 90 days back over every order progress, orders
/// RMS had already shipped, paid or cancelled stay on the platform as history (no stock, no Shopify order), and "sync
/// orders now" reads a date range by order date or by any later date RMS records, with its figures, creating nothing twice.</summary>
public sealed class OrderHistoryTests
{
    private static object Placed(string manage, string sku, int daysAgo, int progress) => new
    {
        buyer = new { familyName = "楽天", firstName = "花子", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1", phone = "03-1234-5678" },
        packages = new[] { new { items = new[] { new { manageNumber = manage, variantId = manage + "-v", merchantDefinedSkuId = sku, itemName = "マグ", price = 1500, units = 1 } }, postagePrice = 500 } },
        orderedAt = DateTimeOffset.UtcNow.AddDays(-daysAgo),
        orderProgress = progress,
    };

    private static async Task<JsonObject> SyncAsync(Marketplace m, object request)
    {
        m.Hosts.Clock.Now = DateTimeOffset.UtcNow.AddSeconds(2);
        var started = await m.Hosts.Platform.PostAsJsonAsync($"/channels/rakuten-jp/connections/{m.Rms}/orders/sync", request);
        started.StatusCode.Should().Be(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var location = started.Headers.Location!.ToString();
        JsonObject? view = null;
        await Marketplace.WaitAsync(async () => (view = await m.Hosts.Platform.GetFromJsonAsync<JsonObject>(location))!["state"]!.GetValue<string>() is "Succeeded" or "Failed",
            "the order sync to finish", setup: m);
        view!["state"]!.GetValue<string>().Should().Be("Succeeded", view.ToJsonString());
        return view;
    }

    private static async Task<Dictionary<string, string>> StatusesAsync(Marketplace m) =>
        (await OrdersAsync(m)).ToDictionary(o => o!["channelOrderId"]!.GetValue<string>(), o => o!["status"]!.GetValue<string>());

    [Fact]
    public async Task The_backfill_reads_every_status_history_stays_on_the_platform_and_a_sync_by_either_date_imports_each_order_once()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => (await m.ListingsAsync("RakutenJp")).Any(l => l!["state"]!.GetValue<string>() == "Published"), "the mug on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", 10);
        var manage = await ManageNumberAsync(m);

        // A bad range is refused naming its field, and starts nothing.
        m.Hosts.Clock.Now = DateTimeOffset.UtcNow;
        foreach (var (body, field) in new (object, string)[]
                 {
                     (new { by = "modified" }, "by"),
                     (new { from = DateTimeOffset.UtcNow.AddDays(-800) }, "from"),
                     (new { from = DateTimeOffset.UtcNow.AddDays(-1), to = DateTimeOffset.UtcNow.AddDays(-2) }, "from"),
                     (new { to = DateTimeOffset.UtcNow.AddDays(2) }, "to"),
                 })
        {
            var refused = await m.Hosts.Platform.PostAsJsonAsync($"/channels/rakuten-jp/connections/{m.Rms}/orders/sync", body);
            refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await refused.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
        }

        (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/channels/rakuten-jp/connections/{m.Rms}/orders/sync"))!.Should().BeEmpty();
        (await m.Hosts.Platform.GetAsync($"/channels/rakuten-jp/connections/{m.Rms}/orders/sync/{Guid.NewGuid()}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var paid = await PlaceAsync(m, Placed(manage, "MUG-1", 80, 700));
        var cancelled = await PlaceAsync(m, Placed(manage, "MUG-1", 40, 900));
        var shipped = await PlaceAsync(m, Placed(manage, "MUG-1", 20, 500));
        var toShip = await PlaceAsync(m, Placed(manage, "MUG-1", 10, 300));
        var fresh = await PlaceAsync(m, Placed(manage, "MUG-1", 2, 100));
        var unknown = await PlaceAsync(m, Placed(manage, "NOPE-1", 5, 100));
        // Older than the backfill: one shipped today (found by a sync by update date), one still to ship (by order date).
        var late = await PlaceAsync(m, Placed(manage, "MUG-1", 100, 100));
        (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/orders/{late}/progress", new { orderProgress = 500 })).EnsureSuccessStatusCode();
        var old = await PlaceAsync(m, Placed(manage, "NOPE-2", 95, 300));

        await PollAsync(m);
        await Marketplace.WaitAsync(async () => (await StatusesAsync(m)).Count == 6 && (await ShopifyOrdersAsync(m)).Count == 2, "the backfill's six orders, two in Shopify", setup: m);
        await Marketplace.WaitAsync(async () => (await StatusesAsync(m))[toShip] == "Accepted" && (await StatusesAsync(m))[fresh] == "Accepted", "the live orders accepted", setup: m);
        var statuses = await StatusesAsync(m);
        statuses[paid].Should().Be("Completed");
        statuses[cancelled].Should().Be("Cancelled");
        statuses[shipped].Should().Be("Shipped");
        statuses[unknown].Should().Be("Held");
        (await ShopifyOrdersAsync(m)).Select(o => o!["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Single(t => t.StartsWith("channel-order:", StringComparison.Ordinal)))
            .Should().BeEquivalentTo([$"channel-order:{toShip}", $"channel-order:{fresh}"], "history never goes to Shopify");
        await Marketplace.WaitAsync(async () => await ShopifyStockAsync(m, "MUG-1") == 8, "Shopify's stock lowered by the two live orders only", setup: m);

        // By update date: the order placed 100 days ago and shipped today is found; those placed in the range are already there.
        var updated = await SyncAsync(m, new { from = DateTimeOffset.UtcNow.AddDays(-30), by = "updated" });
        updated["found"]!.GetValue<int>().Should().Be(5, updated.ToJsonString());
        updated["imported"]!.GetValue<int>().Should().Be(1);
        updated["alreadyThere"]!.GetValue<int>().Should().Be(4);
        updated["history"]!.GetValue<int>().Should().Be(1);
        updated["report"]!.GetValue<string>().Should().Contain("1 imported");

        // By order date over 120 days: only the 95-day-old order is new, and it is held for its unknown SKU.
        var created = await SyncAsync(m, new { from = DateTimeOffset.UtcNow.AddDays(-120), by = "created" });
        created["found"]!.GetValue<int>().Should().Be(8, created.ToJsonString());
        created["imported"]!.GetValue<int>().Should().Be(1);
        created["alreadyThere"]!.GetValue<int>().Should().Be(7);
        await Marketplace.WaitAsync(async () => (await m.Hosts.Platform.GetFromJsonAsync<JsonObject>(created["location"]!.GetValue<string>()))!["held"]!.GetValue<int>() == 1,
            "the sync's held order counted", setup: m);

        var again = await SyncAsync(m, new { from = DateTimeOffset.UtcNow.AddDays(-120) });
        again["imported"]!.GetValue<int>().Should().Be(0, again.ToJsonString());
        again["alreadyThere"]!.GetValue<int>().Should().Be(8);
        var all = await StatusesAsync(m);
        all.Should().HaveCount(8, "each order once");
        all[late].Should().Be("Shipped");
        all[old].Should().Be("Held");
        (await ShopifyOrdersAsync(m)).Should().HaveCount(2, "nothing created twice, no history in Shopify");
        (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/channels/rakuten-jp/connections/{m.Rms}/orders/sync"))!.Should().HaveCount(3);
    }
}
