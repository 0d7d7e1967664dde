using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Onboarding a shop that already sells (issue 21): an RMS shop of a few hundred items — some with the merchant's
/// Shopify SKUs, some in conflict — and a Rakuten France seller with offers, inventoried on connect, matched, and adopted,
/// moved or left alone, on RabbitMQ, PostgreSQL and the Sandbox.</summary>
public sealed class OnboardingTests
{
    private const int OldItems = 280;

    /// <summary>Shopify: SKU-00…SKU-19. RMS: merchant-00…09 carry SKU-00…09 (matched); dup-a and dup-b both carry SKU-10
    /// (conflict); 280 older items with SKUs Shopify never had and one without any SKU (unmatched on RMS); SKU-11…19 are
    /// only in Shopify.</summary>
    private static async Task<Marketplace> ShopThatAlreadySellsAsync() =>
        await Marketplace.StartAsync(Enumerable.Range(0, 20).Select(i => ($"Product {i:D2}", (string?)$"SKU-{i:D2}")), limitsOff: true,
            beforeConnect: async sandbox =>
            {
                var items = new JsonObject();
                for (var i = 0; i < 10; i++) items[$"merchant-{i:D2}"] = Marketplace.RmsItem($"店舗の商品 {i}", $"SKU-{i:D2}");
                items["dup-a"] = Marketplace.RmsItem("重複 A", "SKU-10");
                items["dup-b"] = Marketplace.RmsItem("重複 B", "SKU-10");
                for (var i = 0; i < OldItems; i++) items[$"old-{i:D3}"] = Marketplace.RmsItem($"旧商品 {i}", $"OLD-{i:D3}");
                items["no-sku"] = Marketplace.RmsItem("SKUなし", [null]);
                (await sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/items", items)).EnsureSuccessStatusCode();
            });

    private static Task<JsonObject> ReportAsync(Marketplace m, string connection) =>
        m.Hosts.Platform.GetFromJsonAsync<JsonObject>($"/catalog/onboarding/{connection}?limit=1000")!;

    /// <summary>The report once the inventory is complete and the Shopify import has brought the 20 products.</summary>
    private static async Task<JsonObject> CompleteReportAsync(Marketplace m, string connection)
    {
        await Marketplace.WaitAsync(async () => (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>("/catalog/products"))!.Count == 20, "the Shopify import", setup: m);
        await Marketplace.WaitAsync(async () => (await ReportAsync(m, connection))["inventory"]!["state"]!.GetValue<string>() == "Complete",
            $"the inventory of {connection}", 120, setup: m);
        return await ReportAsync(m, connection);
    }

    private static Task<HttpResponseMessage> DecideAsync(Marketplace m, string decision, params string[] items) =>
        m.Hosts.Platform.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/decisions", new { decision, itemIds = items });

    private static async Task<JsonObject> ItemAsync(Marketplace m, string manageNumber) =>
        (JsonObject)(await m.RmsItemsAsync()).Single(i => i!["manageNumber"]!.GetValue<string>() == manageNumber)!;

    [Fact]
    public async Task The_onboarding_report_counts_what_matched_and_why_and_a_matched_item_is_never_duplicated()
    {
        await using var m = await ShopThatAlreadySellsAsync();
        var report = await CompleteReportAsync(m, m.Rms);

        var counts = report["counts"]!;
        (counts["matched"]!.GetValue<int>(), counts["unmatchedOnChannel"]!.GetValue<int>(), counts["unmatchedInShopify"]!.GetValue<int>(), counts["conflicts"]!.GetValue<int>())
            .Should().Be((10, OldItems + 1, 9, 2));
        report["inventory"]!["items"]!.GetValue<int>().Should().Be(10 + 2 + OldItems + 1);
        var entries = report["page"]!.AsArray().Select(e => (JsonObject)e!).ToList();
        entries.Single(e => e["itemId"]?.GetValue<string>() == "dup-a")["reason"]!.GetValue<string>().Should().Contain("SKU SKU-10 is on 2 items (dup-a, dup-b)");
        entries.Single(e => e["itemId"]?.GetValue<string>() == "no-sku")["reason"]!.GetValue<string>().Should().Contain("has no SKU");
        entries.Single(e => e["itemId"]?.GetValue<string>() == "merchant-03")["productTitle"]!.GetValue<string>().Should().Be("Product 03");

        // Only the products the shop does not sell yet become the platform's items; the others wait for the merchant.
        await Marketplace.WaitAsync(async () => (await m.ListingsAsync("RakutenJp")).Count(l => l!["state"]!.GetValue<string>() == "Published") == 9,
            "the 9 products new to RMS published", setup: m);
        var listings = await m.ListingsAsync("RakutenJp");
        listings.Count(l => l!["error"]?["code"]?.GetValue<string>() == "EXISTING_ITEM").Should().Be(10);
        listings.Single(l => l!["error"]?["code"]?.GetValue<string>() == "ITEM_CONFLICT")!["error"]!["message"]!.GetValue<string>().Should().Contain("dup-a");
        var platformSkus = (await m.RmsItemsAsync()).Where(i => i!["manageNumber"]!.GetValue<string>().StartsWith("v_", StringComparison.Ordinal))
            .SelectMany(i => i!["variants"]!.AsObject().Select(v => v.Value!["merchantDefinedSkuId"]!.GetValue<string>())).ToList();
        platformSkus.Should().BeEquivalentTo(Enumerable.Range(11, 9).Select(i => $"SKU-{i:D2}"), "no SKU the shop already sells got a second item");

        // Publishing a matched product by hand is refused with the way out, not turned into a duplicate.
        var product = listings.First(l => l!["error"]?["code"]?.GetValue<string>() == "EXISTING_ITEM")!["productId"]!.GetValue<string>();
        var refused = await m.Hosts.Platform.PostAsync($"/catalog/products/{product}/listings/{m.Rms}/publish", null);
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("Adopt it");

        // Bad decisions change nothing.
        (await DecideAsync(m, "adopt", "dup-a")).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await DecideAsync(m, "adopt", "no-such-item")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await DecideAsync(m, "swallow", "merchant-00")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ReportAsync(m, m.Rms))["counts"]!["undecided"]!.GetValue<int>().Should().Be(10);

        // The Rakuten France seller's offers (one per Shopify SKU) are all matched.
        var fr = await CompleteReportAsync(m, m.Fr);
        fr["counts"]!["matched"]!.GetValue<int>().Should().Be(20);
    }

    [Fact]
    public async Task An_adopted_item_sells_on_both_channels_once_a_moved_one_stops_selling_first_and_one_left_alone_is_never_touched()
    {
        await using var m = await ShopThatAlreadySellsAsync();
        await CompleteReportAsync(m, m.Rms);
        var leftAlone = await ItemAsync(m, "merchant-01");

        (await DecideAsync(m, "adopt", "merchant-00")).EnsureSuccessStatusCode();
        (await DecideAsync(m, "leave-alone", "merchant-01")).EnsureSuccessStatusCode();
        (await DecideAsync(m, "move", "merchant-02")).EnsureSuccessStatusCode();
        await Marketplace.WaitAsync(async () => (await ItemAsync(m, "merchant-00"))["variants"]!["sku0"]!["standardPrice"]!.GetValue<string>() == "1200",
            "the adopted item priced as in Shopify", setup: m);
        await Marketplace.WaitAsync(async () => (await ItemAsync(m, "merchant-02"))["hideItem"]!.GetValue<bool>()
                                                && (await m.RmsItemsAsync()).Count(i => i!["variants"]!.AsObject().Any(v => v.Value!["merchantDefinedSkuId"]?.GetValue<string>() == "SKU-02")) == 2,
            "the moved item hidden and the platform's item in its place", setup: m);

        var listings = await m.ListingsAsync("RakutenJp");
        listings.Single(l => l!["channelListingId"]?.GetValue<string>() == "merchant-00")!["state"]!.GetValue<string>().Should().Be("Published");
        listings.Count(l => l!["state"]!.GetValue<string>() == "LeftAlone").Should().Be(1);
        var adopted = await ItemAsync(m, "merchant-00");
        adopted["title"]!.GetValue<string>().Should().Be("店舗の商品 0", "the merchant's page stays the merchant's");

        // The adopted item sells on RMS and on Rakuten France: both orders reach Shopify once, as the platform's.
        await SetShopifyStockAsync(m, "SKU-00", 5);
        await Marketplace.WaitAsync(async () => (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rms/shops/{Marketplace.RmsShop}/inventory"))!
            .Any(i => i!["manageNumber"]!.GetValue<string>() == "merchant-00" && i["quantity"]!.GetValue<int>() == 5), "the adopted item's stock pushed to RMS", setup: m);
        var number = await PlaceAsync(m, new
        {
            buyer = new { familyName = "楽天", firstName = "花子", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1", phone = "03-1234-5678" },
            packages = new[] { new { items = new[] { new { manageNumber = "merchant-00", variantId = "sku0", merchantDefinedSkuId = "SKU-00", itemName = "店舗の商品 0", price = 1200, units = 1 } }, postagePrice = 500 } },
            email = "hanako@example.jp",
        });
        await SellAsync(m, FrSale(("SKU-00", 1)));
        await PollAsync(m);
        await PollFrAsync(m);
        await Marketplace.WaitAsync(async () => (await ShopifyOrdersAsync(m)).Count == 2, "both orders in Shopify", setup: m);
        (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>("/orders/holds"))!.Should().BeEmpty("an adopted item's lines are managed");
        // The platform confirms the orders of items it drives (once it accepted them).
        await Marketplace.WaitAsync(async () => (await m.Hosts.Sandbox.GetFromJsonAsync<JsonObject>($"/control/rms/shops/{Marketplace.RmsShop}/orders/{number}"))!
            ["orderProgress"]!.GetValue<int>() == 300, "the adopted item's order confirmed in RMS", setup: m);
        await Marketplace.WaitAsync(async () => await ShopifyStockAsync(m, "SKU-00") == 3, "Shopify stock lowered once per sale", setup: m);
        await PollAsync(m);
        await PollFrAsync(m);
        (await ShopifyOrdersAsync(m)).Should().HaveCount(2, "a second polling round creates nothing twice");

        // A full resync of the catalog leaves the item left alone exactly as it was.
        (await JobPolling.RunAsync(m.Hosts.Platform, $"/catalog/ops/connections/{m.Rms}/resync"))["state"]!.GetValue<string>().Should().Be("Succeeded");
        await Marketplace.WaitAsync(async () => (await m.ListingsAsync("RakutenJp")).All(l => l!["state"]!.GetValue<string>() != "Pending"), "the resync settled", setup: m);
        (await ItemAsync(m, "merchant-01")).ToJsonString().Should().Be(leftAlone.ToJsonString());
        (await m.RmsItemsAsync()).Count(i => i!["variants"]!.AsObject().Any(v => v.Value!["merchantDefinedSkuId"]?.GetValue<string>() == "SKU-01")).Should().Be(1);
    }

    [Fact]
    public async Task The_merchant_hides_the_order_button_of_items_not_adopted_yet_and_an_attacker_reaches_nothing()
    {
        await using var m = await ShopThatAlreadySellsAsync();
        await CompleteReportAsync(m, m.Rms);

        var hide = await m.Hosts.Platform.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/order-button", new { hide = true, itemIds = new[] { "merchant-05", "old-000" } });
        hide.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Marketplace.WaitAsync(async () => (await ItemAsync(m, "old-000"))["features"]?["displayNormalCartButton"]?.GetValue<bool>() == false
                                                && (await ItemAsync(m, "merchant-05"))["features"]?["displayNormalCartButton"]?.GetValue<bool>() == false,
            "both order buttons hidden", setup: m);
        await Marketplace.WaitAsync(async () => (await ReportAsync(m, m.Rms))["page"]!.AsArray().Any(e => e!["itemId"]?.GetValue<string>() == "old-000" && e["orderButtonHidden"]?.GetValue<bool>() == true),
            "the report shows it", setup: m);
        (await ItemAsync(m, "old-000"))["title"]!.GetValue<string>().Should().Be("旧商品 0", "nothing but the button changed");

        (await m.Hosts.Platform.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/order-button", new { hide = true, itemIds = Enumerable.Range(0, 1001).Select(i => $"x{i}") }))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await m.Hosts.Platform.PostAsJsonAsync($"/catalog/onboarding/{m.Fr}/order-button", new { hide = true, allUndecided = true }))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest);

        using var anonymous = new HttpClient { BaseAddress = m.Hosts.Platform.BaseAddress };
        (await anonymous.GetAsync($"/catalog/onboarding/{m.Rms}")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var stranger = m.Hosts.ClientFor(Guid.NewGuid(), TestIdentity.AllTenantRoles);
        (await stranger.GetAsync($"/catalog/onboarding/{m.Rms}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/decisions", new { decision = "adopt", allMatched = true })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var viewer = m.Hosts.ClientFor(m.Tenant, [Rakuten.Platform.BuildingBlocks.Security.PlatformRoles.Viewer]);
        (await viewer.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/decisions", new { decision = "adopt", allMatched = true })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await ReportAsync(m, m.Rms))["counts"]!["adopted"]!.GetValue<int>().Should().Be(0);
    }

    [Fact]
    public async Task Connecting_a_store_registers_its_webhooks_a_dropped_one_is_repaired_and_removing_the_connection_deletes_them()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        async Task<List<JsonObject>> InStoreAsync() => (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Marketplace.Shop}/webhooks"))!
            .Select(w => (JsonObject)w!).Where(w => w["callbackUrl"]!.GetValue<string>().EndsWith($"/channels/shopify/webhooks/{m.Shopify}", StringComparison.Ordinal)).ToList();

        (await InStoreAsync()).Select(w => w["topic"]!.GetValue<string>()).Should().BeEquivalentTo(
            ["products/create", "products/update", "products/delete", "inventory_levels/update", "fulfillments/create", "fulfillments/update"]);

        // Shopify drops a subscription (8 failed deliveries, or the merchant deletes it): the check puts it back, once.
        var dropped = (await InStoreAsync()).First(w => w["topic"]!.GetValue<string>() == "inventory_levels/update")["id"]!.GetValue<long>();
        (await m.Hosts.Sandbox.DeleteAsync($"/control/shopify/shops/{Marketplace.Shop}/webhooks/{dropped}")).EnsureSuccessStatusCode();
        var repaired = (await (await m.Hosts.Platform.PostAsync($"/channels/shopify/connections/{m.Shopify}/webhooks/repair", null))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonArray>())!;
        repaired.Should().HaveCount(6).And.OnlyContain(w => w!["registered"]!.GetValue<bool>());
        (await InStoreAsync()).Should().HaveCount(6);
        (await m.Hosts.Platform.PostAsync($"/channels/shopify/connections/{m.Shopify}/webhooks/repair", null)).EnsureSuccessStatusCode();
        (await InStoreAsync()).Should().HaveCount(6, "a second check creates nothing twice");

        // The repaired subscription delivers: a stock change in Shopify reaches the platform.
        await SetShopifyStockAsync(m, "MUG-1", 4);
        await Marketplace.WaitAsync(async () => (await m.Hosts.Platform.GetStringAsync("/inventory/stock")).Contains("MUG-1"), "the stock change received", setup: m);

        (await m.Hosts.Platform.DeleteAsync($"/channels/shopify/connections/{m.Shopify}")).EnsureSuccessStatusCode();
        await Marketplace.WaitAsync(async () => (await InStoreAsync()).Count == 0, "the removed connection's subscriptions deleted", setup: m);
    }

    [Fact]
    public async Task Decisions_imported_from_the_exported_report_are_checked_row_by_row_and_apply_all_or_nothing()
    {
        await using var m = await ShopThatAlreadySellsAsync();
        await CompleteReportAsync(m, m.Rms);
        var api = m.Hosts.Platform;
        var exported = await api.GetStringAsync($"/catalog/onboarding/{m.Rms}/export");
        exported.Split('\n')[0].TrimStart('\uFEFF').Trim().Should().Be("kind,item_id,item_title,product_title,product_ids,reason,decision");
        exported.Should().Contain("merchant-03").And.Contain("dup-a");

        static HttpContent Csv(string text) => new StringContent(text, System.Text.Encoding.UTF8, "text/csv");
        const string withConflict = "item_id,decision\nmerchant-03,adopt\ndup-a,adopt\nold-000,leave-alone\nnowhere-1,adopt\n";
        var dry = await api.PostAsync($"/catalog/onboarding/{m.Rms}/decisions/import?dryRun=true", Csv(withConflict));
        dry.StatusCode.Should().Be(HttpStatusCode.OK);
        var results = (await dry.Content.ReadFromJsonAsync<JsonObject>())!["results"]!.AsArray();
        results.Select(r => r!["outcome"]!.GetValue<string>()).Should().Equal("adopt", "error", "leave-alone", "error");
        results[1]!["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("Conflict, not matched");
        results[3]!["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("not in this connection's onboarding report");
        (await api.PostAsync($"/catalog/onboarding/{m.Rms}/decisions/import", Csv(withConflict))).StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await ReportAsync(m, m.Rms))["counts"]!["adopted"]!.GetValue<int>().Should().Be(0, "a bad row applies nothing");

        (await api.PostAsync($"/catalog/onboarding/{m.Rms}/decisions/import", Csv("item_id,decision\nmerchant-03,adopt\nold-000,leave-alone\n")))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var counts = (await ReportAsync(m, m.Rms))["counts"]!;
        (counts["adopted"]!.GetValue<int>(), counts["leftAlone"]!.GetValue<int>()).Should().Be((1, 1));
        await Marketplace.WaitAsync(async () => (await ItemAsync(m, "merchant-03"))["variants"]!["sku0"]!["standardPrice"]!.GetValue<string>() == "1200",
            "the adopted item driven by the platform", setup: m);
    }

    [Fact]
    public async Task Match_or_create_both_ways_an_unmatched_item_is_made_in_Shopify_and_an_unmatched_product_published_each_after_a_preview()
    {
        await using var m = await ShopThatAlreadySellsAsync();
        await CompleteReportAsync(m, m.Rms);
        var api = m.Hosts.Platform;
        async Task<JsonArray> ProductsAsync() => (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Marketplace.Shop}/products"))!;
        var before = (await ProductsAsync()).Count;

        var preview = await api.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/create-in-shopify", new { itemIds = new[] { "old-000", "no-sku", "merchant-00" }, dryRun = true });
        preview.StatusCode.Should().Be(HttpStatusCode.OK);
        var items = (await preview.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
        items[0]!["refusal"].Should().BeNull();
        (items[0]!["variants"]![0]!["sku"]!.GetValue<string>(), items[0]!["variants"]![0]!["price"]!["amount"]!.GetValue<decimal>()).Should().Be(("OLD-000", 999m));
        items[1]!["refusal"]!.GetValue<string>().Should().Contain("has no SKU");
        items[2]!["refusal"]!.GetValue<string>().Should().Contain("Matched, not unmatched");
        (await api.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/create-in-shopify", new { itemIds = new[] { "old-000", "no-sku" } }))
            .StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await ProductsAsync()).Should().HaveCount(before, "a refused item makes the whole request create nothing");

        (await api.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/create-in-shopify", new { itemIds = new[] { "old-000" } })).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Marketplace.WaitAsync(async () => (await ReportAsync(m, m.Rms))["page"]!.AsArray().Any(e => e!["itemId"]?.GetValue<string>() == "old-000"
            && e["kind"]!.GetValue<string>() == "Matched" && e["shopifyCreation"]?.GetValue<string>()?.StartsWith("created gid://shopify/Product/") == true),
            "the item matched by the product made from it", setup: m);
        var again = await api.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/create-in-shopify", new { itemIds = new[] { "old-000" } });
        again.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, "matched now, it is adopted rather than made again");

        var made = (await ProductsAsync()).Where(p => p!["handle"]?.GetValue<string>() == "rakuten-jp-old-000").ToList();
        made.Should().ContainSingle();

        // The other way: a Shopify product nothing on RMS matches, withdrawn, is published again in bulk after a preview.
        var catalog = (await api.GetFromJsonAsync<JsonArray>("/catalog/products"))!;
        string Id(string title) => catalog.Single(p => p!["title"]!.GetValue<string>() == title)!["productId"]!.GetValue<string>();
        await Marketplace.WaitAsync(async () => Marketplace.State(await m.ListingsAsync("RakutenJp"), Id("Product 11")) == "Published", "product 11 on RMS", setup: m);
        (await api.PostAsync($"/catalog/products/{Id("Product 11")}/listings/{m.Rms}/withdraw", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Marketplace.WaitAsync(async () => Marketplace.State(await m.ListingsAsync("RakutenJp"), Id("Product 11")) == "Withdrawn", "product 11 withdrawn", setup: m);
        var onChannel = await api.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/create-on-channel", new { productIds = new[] { Id("Product 11"), Id("Product 00") }, dryRun = true });
        var products = (await onChannel.Content.ReadFromJsonAsync<JsonObject>())!["products"]!.AsArray();
        products[0]!["prices"]![0]!["price"]!["amount"]!.GetValue<decimal>().Should().Be(1200m);
        products[1]!["refusal"]!.GetValue<string>().Should().Contain("matches an existing item");
        (await api.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/create-on-channel", new { productIds = new[] { Id("Product 11"), Id("Product 00") } }))
            .StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        Marketplace.State(await m.ListingsAsync("RakutenJp"), Id("Product 11")).Should().Be("Withdrawn", "a refused product makes the whole request publish nothing");
        (await api.PostAsJsonAsync($"/catalog/onboarding/{m.Rms}/create-on-channel", new { productIds = new[] { Id("Product 11") } })).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Marketplace.WaitAsync(async () => Marketplace.State(await m.ListingsAsync("RakutenJp"), Id("Product 11")) == "Published", "product 11 published again", setup: m);
        (made[0]!["status"]!.GetValue<string>(), made[0]!["title"]!.GetValue<string>()).Should().Be(("DRAFT", "旧商品 0"));
        made[0]!["variants"]!["nodes"]![0]!["sku"]!.GetValue<string>().Should().Be("OLD-000");
    }

    [Fact]
    public async Task A_shop_whose_RMS_SKUs_differ_from_Shopifys_matches_on_a_metafield_and_its_adopted_items_orders_reach_Shopify_with_the_Shopify_SKU()
    {
        var teeId = "";
        await using var m = await Marketplace.StartAsync([("Plain box", "BOX-1")], limitsOff: true, beforeConnect: async sandbox =>
        {
            // In Shopify the tee's variants are TEE-S and TEE-M; in RMS the same tee is sold as rms-tee-s and rms-tee-m.
            var tee = await sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products", new
            {
                title = "Tee", options = new[] { new { name = "Size", values = new[] { "S", "M" } } },
                variants = new[]
                {
                    new { sku = "TEE-S", price = 2000m, optionValues = new[] { "S" }, metafields = new[] { new { @namespace = "rakuten", key = "jp_sku", value = "rms-tee-s" } } },
                    new { sku = "TEE-M", price = 2000m, optionValues = new[] { "M" }, metafields = new[] { new { @namespace = "rakuten", key = "jp_sku", value = "rms-tee-m" } } },
                },
            });
            teeId = tee.EnsureSuccessStatusCode().Headers.Location!.OriginalString.Split('/')[^1];
            (await sandbox.PostAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/items", new JsonObject { ["tee-jp"] = Marketplace.RmsItem("Tシャツ", "rms-tee-s", "rms-tee-m") }))
                .EnsureSuccessStatusCode();
        }, rmsConnected: async (platform, rms) =>
        {
            var bad = await platform.PutAsJsonAsync($"/catalog/onboarding/{rms}/match-key", new { matchKey = "metafield", metafield = "custom.jp_sku" });
            await Marketplace.WaitAsync(async () => (bad = await platform.PutAsJsonAsync($"/catalog/onboarding/{rms}/match-key", new { matchKey = "metafield", metafield = "custom.jp_sku" }))
                .StatusCode != HttpStatusCode.NotFound, "the catalog knows the RMS connection");
            bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await bad.Content.ReadAsStringAsync()).Should().Contain("metafield").And.Contain("namespace rakuten");
            (await platform.PutAsJsonAsync($"/catalog/onboarding/{rms}/match-key", new { matchKey = "metafield", metafield = "rakuten.jp_sku" })).EnsureSuccessStatusCode();
        });
        await Marketplace.WaitAsync(async () => (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>("/catalog/products"))!.Count == 2, "the Shopify import", setup: m);
        await Marketplace.WaitAsync(async () => (await ReportAsync(m, m.Rms))["inventory"]!["state"]!.GetValue<string>() == "Complete", "the inventory", setup: m);
        var report = await ReportAsync(m, m.Rms);
        (report["matchKey"]!.GetValue<string>(), report["matchMetafield"]!.GetValue<string>()).Should().Be(("Metafield", "rakuten.jp_sku"));
        var tee = report["page"]!.AsArray().Single(e => e!["itemId"]?.GetValue<string>() == "tee-jp")!;
        tee["kind"]!.GetValue<string>().Should().Be("Matched", tee.ToJsonString());
        tee["productTitle"]!.GetValue<string>().Should().Be("Tee");

        (await DecideAsync(m, "adopt", "tee-jp")).EnsureSuccessStatusCode();
        await Marketplace.WaitAsync(async () => (await ItemAsync(m, "tee-jp"))["variants"]!["sku1"]!["standardPrice"]!.GetValue<string>() == "2000",
            "the adopted item priced as in Shopify", setup: m);
        (await m.RmsItemsAsync()).Should().HaveCount(2, "the tee is not published a second time as a v_ item (only the plain box is)");

        // Shopify's stock of TEE-M reaches the RMS variant that carries rms-tee-m; an RMS order of it reaches Shopify as TEE-M.
        await SetShopifyStockAsync(m, "TEE-M", 6);
        await Marketplace.WaitAsync(async () => (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rms/shops/{Marketplace.RmsShop}/inventory"))!
            .Any(i => i!["manageNumber"]!.GetValue<string>() == "tee-jp" && i["variantId"]!.GetValue<string>() == "sku1" && i["quantity"]!.GetValue<int>() == 6),
            "TEE-M's stock on the item's variant sku1", setup: m);
        await PlaceAsync(m, new
        {
            buyer = new { familyName = "楽天", firstName = "花子", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1", phone = "03-1234-5678" },
            packages = new[] { new { items = new[] { new { manageNumber = "tee-jp", variantId = "sku1", merchantDefinedSkuId = "rms-tee-m", itemName = "Tシャツ M", price = 2000, units = 2 } }, postagePrice = 500 } },
        });
        await PollAsync(m);
        await Marketplace.WaitAsync(async () => (await ShopifyOrdersAsync(m)).Count == 1, "the order in Shopify", setup: m);
        (await ShopifyOrdersAsync(m))[0]!["lineItems"]!["nodes"]!.AsArray().Select(l => (l!["sku"]!.GetValue<string>(), l["quantity"]!.GetValue<int>())).Should().Equal(("TEE-M", 2));
        (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>("/orders/holds"))!.Should().BeEmpty();
        await Marketplace.WaitAsync(async () => await ShopifyStockAsync(m, "TEE-M") == 4, "Shopify's TEE-M lowered by the sale", setup: m);

        // An edit in Shopify comes by webhook, without metafields: the match stays.
        await Task.Delay(1100);
        (await m.Hosts.Sandbox.PutAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products/{teeId}", new
        {
            title = "Tee (organic)", options = new[] { new { name = "Size", values = new[] { "S", "M" } } },
            variants = new[]
            {
                new { sku = "TEE-S", price = 2100m, optionValues = new[] { "S" }, metafields = new[] { new { @namespace = "rakuten", key = "jp_sku", value = "rms-tee-s" } } },
                new { sku = "TEE-M", price = 2100m, optionValues = new[] { "M" }, metafields = new[] { new { @namespace = "rakuten", key = "jp_sku", value = "rms-tee-m" } } },
            },
        })).EnsureSuccessStatusCode();
        await Marketplace.WaitAsync(async () => (await ItemAsync(m, "tee-jp"))["variants"]!["sku1"]!["standardPrice"]!.GetValue<string>() == "2100",
            "the new price on the adopted item", setup: m);
        (await ReportAsync(m, m.Rms))["page"]!.AsArray().Single(e => e!["itemId"]?.GetValue<string>() == "tee-jp")!["kind"]!.GetValue<string>().Should().Be("Matched");
    }
}
