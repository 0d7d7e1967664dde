using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Shopify → Catalog → Rakuten JP items and Rakuten France offers (issue 5), on RabbitMQ, PostgreSQL and
/// the Sandbox: every service in one process, each with its own database, talking over the broker.</summary>
public sealed class CatalogPublishingTests
{
    private const string RmsShop = Marketplace.RmsShop;
    private const decimal EurPerYen = Marketplace.EurPerYen;

    private static object Product(string title, string? sku, decimal price = 1200m, decimal? compareAt = null) => Marketplace.Product(title, sku, price, compareAt);

    private static Task<Marketplace> StartAsync(IEnumerable<(string Title, string? Sku)> products, IEnumerable<string>? offers = null, bool limitsOff = false) =>
        Marketplace.StartAsync(products, offers, limitsOff);

    private static Task WaitAsync(Func<Task<bool>> condition, string what, int seconds = 60, Action? meanwhile = null, Marketplace? setup = null) =>
        Marketplace.WaitAsync(condition, what, seconds, meanwhile, setup);

    private static bool All(JsonArray listings, string state, int count) => Marketplace.All(listings, state, count);

    private static string State(JsonArray listings, string productId) => Marketplace.State(listings, productId);

    [Fact]
    public async Task A_thousand_product_catalog_is_imported_and_published_to_both_channels()
    {
        const int count = 1000;
        await using var setup = await StartAsync(Enumerable.Range(0, count).Select(i => ($"Product {i:D4}", (string?)$"SKU-{i:D4}")), limitsOff: true);

        await WaitAsync(async () => All(await setup.ListingsAsync("RakutenJp"), "Published", count), "1,000 RMS listings published", 240);
        await WaitAsync(async () => All(await setup.ListingsAsync("RakutenFr"), "Published", count), "1,000 Rakuten France listings published", 240,
            meanwhile: setup.NextFileSlot);

        var items = await setup.RmsItemsAsync();
        items.Should().HaveCount(count);
        items.Select(i => i!["manageNumber"]!.GetValue<string>()).Should().OnlyContain(m => m.StartsWith("v_")).And.OnlyHaveUniqueItems();
        var skus = items.SelectMany(i => i!["variants"]!.AsObject().Select(v => v.Value!["merchantDefinedSkuId"]!.GetValue<string>())).ToList();
        skus.Should().BeEquivalentTo(Enumerable.Range(0, count).Select(i => $"SKU-{i:D4}"));
        var expected = decimal.Round(1200m * EurPerYen, 2);
        (await setup.FrOffersAsync()).Should().HaveCount(count).And.OnlyContain(o => o!["price"]!.GetValue<decimal>() == expected);
        var files = (await setup.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/channels/rakuten-fr/connections/{setup.Fr}/stock-files"))!;
        files.Count.Should().BeLessThanOrEqualTo(10, "the changes coalesce into a few files, inside Rakuten's 10 an hour");
    }

    [Fact]
    public async Task An_update_webhook_reaches_RMS_and_Rakuten_France_and_a_SKU_without_offer_fails_only_there()
    {
        await using var setup = await StartAsync([("Linen shirt", "SHIRT-1"), ("Mug", "MUG-1")], offers: ["SHIRT-1"]);
        await WaitAsync(async () => All(await setup.ListingsAsync("RakutenJp"), "Published", 2), "both RMS listings published");
        await WaitAsync(async () => (await setup.ListingsAsync("RakutenFr")).Count(l => l!["state"]!.GetValue<string>() is "Published" or "Failed") == 2,
            "the Rakuten France listings settled", meanwhile: setup.NextFileSlot);

        var mug = (await setup.ListingsAsync("RakutenFr")).First(l => l!["state"]!.GetValue<string>() == "Failed")!;
        mug["error"]!["code"]!.GetValue<string>().Should().Be("NO_OFFER");
        mug["error"]!["message"]!.GetValue<string>().Should().StartWith("no Rakuten France offer with SKU MUG-1");

        await setup.UpdateProductAsync("Linen shirt", Product("Linen shirt (2026)", "SHIRT-1", price: 5000m, compareAt: 6000m));

        await WaitAsync(async () => (await setup.RmsItemsAsync()).Any(i => i!["title"]!.GetValue<string>() == "Linen shirt (2026)"), "the new title on RMS");
        await WaitAsync(async () => (await setup.FrOffersAsync()).Single()!["price"]!.GetValue<decimal>() == 31.00m, "the new price on Rakuten France",
            meanwhile: setup.NextFileSlot);
        var variant = (await setup.RmsItemsAsync()).First(i => i!["title"]!.GetValue<string>() == "Linen shirt (2026)")!["variants"]!.AsObject().Single().Value!;
        variant["standardPrice"]!.GetValue<string>().Should().Be("5000");
        variant["referencePrice"]!["value"]!.GetValue<string>().Should().Be("6000");
    }

    [Fact]
    public async Task A_duplicate_SKU_is_refused_on_both_channels_naming_both_products_until_it_is_fixed()
    {
        await using var setup = await StartAsync([("T-shirt", "DUP-1"), ("Mug", "DUP-1"), ("Cap", "CAP-1")], offers: ["DUP-1", "CAP-1", "MUG-2"]);
        await WaitAsync(async () => (await setup.ListingsAsync()).Count(l => l!["state"]!.GetValue<string>() == "Failed") == 4
                                    && (await setup.ListingsAsync("RakutenJp")).Any(l => l!["state"]!.GetValue<string>() == "Published"),
            "four refused listings and the cap published", setup: setup);

        var refused = (await setup.ListingsAsync()).Where(l => l!["state"]!.GetValue<string>() == "Failed").ToList();
        refused.Should().OnlyContain(l => l!["error"]!["code"]!.GetValue<string>() == "DUPLICATE_SKU");
        refused[0]!["error"]!["message"]!.GetValue<string>().Should().Contain("'Mug'").And.Contain("'T-shirt'").And.Contain("DUP-1");
        // Whatever went out before the second claim arrived is hidden now: only the cap can be ordered.
        (await setup.RmsItemsAsync()).Where(i => !i!["hideItem"]!.GetValue<bool>()).Select(i => i!["title"]!.GetValue<string>()).Should().Equal("Cap");
        var mugId = refused.First()!["productId"]!.GetValue<string>();
        var publish = await setup.Hosts.Platform.PostAsync($"/catalog/products/{mugId}/listings/{setup.Rms}/publish", null);
        publish.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await publish.Content.ReadAsStringAsync()).Should().Contain("must be unique");

        // The merchant gives the mug its own SKU: both products are published.
        await setup.UpdateProductAsync("Mug", Product("Mug", "MUG-2"));
        await WaitAsync(async () => All(await setup.ListingsAsync("RakutenJp"), "Published", 3), "all three on RMS", setup: setup);
        (await setup.RmsItemsAsync()).Should().HaveCount(3).And.OnlyContain(i => !i!["hideItem"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_failing_RMS_upsert_hides_the_item_and_fails_the_listing_with_the_RMS_code_until_it_is_fixed()
    {
        await using var setup = await StartAsync([("Kettle", "KET-1")]);
        await WaitAsync(async () => All(await setup.ListingsAsync("RakutenJp"), "Published", 1), "the kettle on RMS");

        // RMS takes standard prices up to 999,999,999 yen: this update is refused by RMS itself.
        await setup.UpdateProductAsync("Kettle", Product("Kettle", "KET-1", price: 1_000_000_000m));

        await WaitAsync(async () => All(await setup.ListingsAsync("RakutenJp"), "Failed", 1), "the listing failed");
        var listing = (await setup.ListingsAsync("RakutenJp")).Single()!;
        listing["error"]!["code"]!.GetValue<string>().Should().Be("IE0002");
        listing["error"]!["message"]!.GetValue<string>().Should().Contain("standardPrice");
        listing["hidden"]!.GetValue<bool>().Should().BeTrue();
        var item = (await setup.RmsItemsAsync()).Single()!;
        item["hideItem"]!.GetValue<bool>().Should().BeTrue("no order can be placed for an item that could not be published");
        item["variants"]!.AsObject().Single().Value!["standardPrice"]!.GetValue<string>().Should().Be("1200", "the refused upsert changed nothing else");

        await setup.UpdateProductAsync("Kettle", Product("Kettle", "KET-1", price: 9800m));
        await WaitAsync(async () => All(await setup.ListingsAsync("RakutenJp"), "Published", 1), "published again");
        (await setup.RmsItemsAsync()).Single()!["hideItem"]!.GetValue<bool>().Should().BeFalse("publishing it again un-hides it");
    }

    [Fact]
    public async Task An_unmanaged_RMS_item_is_untouched_by_a_full_resync_and_the_merchant_can_hide_unhide_and_withdraw()
    {
        await using var setup = await StartAsync([("Teapot", "TEA-1")]);
        var unmanaged = new JsonObject
        {
            ["title"] = "Merchant's own teapot", ["itemType"] = "NORMAL", ["genreId"] = "100371",
            ["variants"] = new JsonObject { ["tea-1"] = new JsonObject { ["merchantDefinedSkuId"] = "TEA-1", ["standardPrice"] = "3000" } },
        };
        (await setup.Hosts.Sandbox.PutAsJsonAsync($"/control/rms/shops/{RmsShop}/items/teapot-001", unmanaged)).EnsureSuccessStatusCode();
        await WaitAsync(async () => All(await setup.ListingsAsync("RakutenJp"), "Published", 1), "the teapot on RMS");
        var before = (await setup.RmsItemsAsync()).First(i => i!["manageNumber"]!.GetValue<string>() == "teapot-001")!.ToJsonString();
        var version = (await setup.ListingsAsync("RakutenJp")).Single()!["version"]!.GetValue<long>();

        (await setup.Hosts.Platform.PostAsync($"/catalog/ops/connections/{setup.Rms}/resync", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await WaitAsync(async () => (await setup.ListingsAsync("RakutenJp")).Single()!["version"]!.GetValue<long>() > version
                                    && All(await setup.ListingsAsync("RakutenJp"), "Published", 1), "the resync done");

        (await setup.RmsItemsAsync()).First(i => i!["manageNumber"]!.GetValue<string>() == "teapot-001")!.ToJsonString().Should().Be(before);
        var listing = (await setup.ListingsAsync("RakutenJp")).Single()!;
        var product = listing["productId"]!.GetValue<string>();
        var managed = listing["channelListingId"]!.GetValue<string>();

        async Task Act(string action, string state)
        {
            (await setup.Hosts.Platform.PostAsync($"/catalog/products/{product}/listings/{setup.Rms}/{action}", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
            await WaitAsync(async () => State(await setup.ListingsAsync("RakutenJp"), product) == state, $"{action} → {state}");
        }

        await Act("hide", "Hidden");
        (await setup.RmsItemsAsync()).First(i => i!["manageNumber"]!.GetValue<string>() == managed)!["hideItem"]!.GetValue<bool>().Should().BeTrue();
        await Act("unhide", "Published");
        (await setup.RmsItemsAsync()).First(i => i!["manageNumber"]!.GetValue<string>() == managed)!["hideItem"]!.GetValue<bool>().Should().BeFalse();
        await Act("withdraw", "Withdrawn");
        (await setup.RmsItemsAsync()).Select(i => i!["manageNumber"]!.GetValue<string>()).Should().Equal("teapot-001");
        (await setup.Hosts.Platform.PostAsync($"/catalog/products/{product}/listings/{setup.Rms}/activate", null)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Duplicated_and_delayed_webhooks_leave_the_last_edit_on_RMS()
    {
        await using var setup = await StartAsync([("Vase", "VASE-1")]);
        await WaitAsync(async () => All(await setup.ListingsAsync("RakutenJp"), "Published", 1), "the vase on RMS");
        // Every delivery twice, each after a random delay of up to 1.5 s: they arrive out of order.
        (await setup.Hosts.Sandbox.PutAsJsonAsync("/control/shopify/settings", new { duplicateRate = 1.0, maxDelayMilliseconds = 1500 })).EnsureSuccessStatusCode();

        foreach (var title in new[] { "Vase v1", "Vase v2", "Vase v3" })
        {
            await setup.UpdateProductAsync("Vase", Product(title, "VASE-1"));
        }

        await WaitAsync(async () => (await setup.Hosts.Sandbox.GetFromJsonAsync<JsonArray>("/control/shopify/webhook-deliveries"))!.Count >= 6, "all six deliveries");
        await WaitAsync(async () => (await setup.RmsItemsAsync()).Single()!["title"]!.GetValue<string>() == "Vase v3"
                                    && All(await setup.ListingsAsync("RakutenJp"), "Published", 1), "the last edit on RMS");
        await Task.Delay(2000);
        (await setup.RmsItemsAsync()).Single()!["title"]!.GetValue<string>().Should().Be("Vase v3", "no late delivery undoes the last edit");
    }

    [Fact]
    public async Task A_variant_without_a_SKU_is_published_on_no_channel_until_it_has_one()
    {
        await using var setup = await StartAsync([("Nameless", null), ("Mug", "MUG-1")], offers: ["MUG-1", "NAMED-1"]);
        await WaitAsync(async () => (await setup.ListingsAsync()).Count(l => l!["state"]!.GetValue<string>() == "Failed") == 2
                                    && (await setup.ListingsAsync("RakutenJp")).Any(l => l!["state"]!.GetValue<string>() == "Published"),
            "the nameless product refused on both channels, the mug published", setup: setup);

        var refused = (await setup.ListingsAsync()).Where(l => l!["state"]!.GetValue<string>() == "Failed").ToList();
        refused.Should().OnlyContain(l => l!["error"]!["code"]!.GetValue<string>() == "NO_SKU");
        refused[0]!["error"]!["message"]!.GetValue<string>().Should().Contain("of 'Nameless' has no SKU").And.Contain("Give it a SKU in Shopify");
        (await setup.RmsItemsAsync()).Should().ContainSingle("only the mug became an RMS item");

        await setup.UpdateProductAsync("Nameless", Product("Nameless", "NAMED-1"));
        await WaitAsync(async () => (await setup.RmsItemsAsync()).Count == 2, "the product on RMS once it has a SKU", setup: setup);
    }

    [Fact]
    public async Task A_French_offer_created_just_before_publishing_is_found_and_a_listing_refused_for_a_missing_offer_goes_through_once_it_exists()
    {
        await using var setup = await StartAsync([("Mug", "MUG-1")], offers: ["OTHER-1"]);
        await WaitAsync(async () => (await setup.ListingsAsync("RakutenFr")).Any(l => l!["error"]?["code"]?.GetValue<string>() == "NO_OFFER"),
            "the mug refused on Rakuten France for want of an offer", setup: setup);

        // The merchant creates the offer on Rakuten France: the listing is retried by itself, nothing to press.
        (await setup.Hosts.Sandbox.PostAsJsonAsync($"/control/rakuten-fr/sellers/{Marketplace.Seller}/offers", new { sku = "MUG-1", headline = "Mug", price = 9.99m, stock = 3 }))
            .EnsureSuccessStatusCode();
        var retry = setup.Hosts.Services.GetRequiredService<Rakuten.Platform.Channels.RakutenFr.PublishingOffers.AwaitingOfferRetry>();
        (await retry.RetryAllAsync(CancellationToken.None)).Should().Be(1);
        await WaitAsync(async () => (await setup.ListingsAsync("RakutenFr")).Single()!["state"]!.GetValue<string>() == "Published", "the mug published on Rakuten France",
            meanwhile: setup.NextFileSlot, setup: setup);
        (await retry.RetryAllAsync(CancellationToken.None)).Should().Be(0, "nothing waits any more");

        // An offer created a moment before the product: the miss reads the export again before refusing.
        (await setup.Hosts.Sandbox.PostAsJsonAsync($"/control/rakuten-fr/sellers/{Marketplace.Seller}/offers", new { sku = "BOWL-1", headline = "Bowl", price = 9.99m, stock = 3 }))
            .EnsureSuccessStatusCode();
        (await setup.Hosts.Sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products", Product("Bowl", "BOWL-1"))).EnsureSuccessStatusCode();
        await WaitAsync(async () => (await setup.ListingsAsync("RakutenFr")).Count(l => l!["state"]!.GetValue<string>() == "Published") == 2,
            "the bowl published on Rakuten France without a refusal first", meanwhile: setup.NextFileSlot, setup: setup);
    }

    [Fact]
    public async Task A_price_rule_and_a_fixed_price_reach_RMS_and_Rakuten_France_and_each_listing_shows_the_price_sent()
    {
        await using var setup = await StartAsync([("Linen shirt", "SHIRT-1")], offers: ["SHIRT-1"]);
        await WaitAsync(async () => All(await setup.ListingsAsync(), "Published", 2), "the shirt published on both channels", meanwhile: setup.NextFileSlot, setup: setup);
        var platform = setup.Hosts.Platform;
        var asOf = DateOnly.FromDateTime(setup.Hosts.Clock.Now.UtcDateTime).AddDays(-1).ToString("yyyy-MM-dd");

        // Rakuten France: +10 %, converted at a dated rate, rounded up to a .99 ending: 1,200 × 1.1 × 0.0065 = 8.58 → €8.99.
        var fr = await platform.PutAsJsonAsync($"/catalog/connections/{setup.Fr}/price-rule",
            new { markupPercent = 10, convert = new { from = "JPY", to = "EUR", rate = 0.0065m, asOf }, rounding = new { ending = 0.99m } });
        fr.StatusCode.Should().Be(HttpStatusCode.Accepted, await fr.Content.ReadAsStringAsync());
        await WaitAsync(async () => (await setup.FrOffersAsync()).Single()!["price"]!.GetValue<decimal>() == 8.99m, "€8.99 on Rakuten France",
            meanwhile: setup.NextFileSlot, setup: setup);

        // RMS: +8 %, rounded up to ¥10: 1,296 → ¥1,300; then a fixed price for the SKU wins over the rule.
        (await platform.PutAsJsonAsync($"/catalog/connections/{setup.Rms}/price-rule", new { markupPercent = 8, rounding = new { step = 10 } }))
            .StatusCode.Should().Be(HttpStatusCode.Accepted);
        await WaitAsync(async () => StandardPrice(await setup.RmsItemsAsync()) == "1300", "¥1,300 on RMS", setup: setup);
        var sent = (await setup.ListingsAsync("RakutenJp")).Single()!["pricesSent"]!.AsArray().Single()!;
        (sent["sku"]!.GetValue<string>(), sent["price"]!["amount"]!.GetValue<decimal>(), sent["source"]!.GetValue<string>()).Should().Be(("SHIRT-1", 1300m, "rule"));
        var frSent = (await setup.ListingsAsync("RakutenFr")).Single()!["pricesSent"]!.AsArray().Single()!;
        (frSent["price"]!["amount"]!.GetValue<decimal>(), frSent["price"]!["currency"]!.GetValue<string>()).Should().Be((8.99m, "EUR"));

        var wrong = await platform.PutAsJsonAsync($"/catalog/connections/{setup.Rms}/fixed-prices/SHIRT-1", new { price = 9.5m, currency = "EUR" });
        wrong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await wrong.Content.ReadAsStringAsync()).Should().Contain("currency").And.Contain("must be JPY");
        var badRule = await platform.PutAsJsonAsync($"/catalog/connections/{setup.Rms}/price-rule", new { rounding = new { step = 10, ending = 0.99m } });
        badRule.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badRule.Content.ReadAsStringAsync()).Should().Contain("give step or ending, not both");
        StandardPrice(await setup.RmsItemsAsync()).Should().Be("1300", "refused input changes nothing");

        var set = await platform.PutAsJsonAsync($"/catalog/connections/{setup.Rms}/fixed-prices/SHIRT-1", new { price = 999m, compareAtPrice = 1500m, currency = "JPY" });
        set.StatusCode.Should().Be(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        (await set.Content.ReadFromJsonAsync<JsonObject>())!["productsRepriced"]!.GetValue<int>().Should().Be(1);
        await WaitAsync(async () => StandardPrice(await setup.RmsItemsAsync()) == "999", "the fixed ¥999 on RMS", setup: setup);
        var variant = (await setup.RmsItemsAsync()).Single()!["variants"]!.AsObject().Single().Value!;
        variant["referencePrice"]!["value"]!.GetValue<string>().Should().Be("1500");
        (await setup.ListingsAsync("RakutenJp")).Single()!["pricesSent"]![0]!["source"]!.GetValue<string>().Should().Be("price list");

        static string StandardPrice(JsonArray items) => items.Single()!["variants"]!.AsObject().Single().Value!["standardPrice"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_store_selling_in_euros_reaches_Rakuten_France_unconverted_and_RMS_once_a_rule_converts_its_prices_to_yen()
    {
        await using var setup = await Marketplace.StartAsync([("Mug", "MUG-1")], currency: "EUR");
        await WaitAsync(async () => (await setup.ListingsAsync()).Count(l => l!["state"]!.GetValue<string>() is "Published" or "Failed") == 2,
            "both listings settled", meanwhile: setup.NextFileSlot, setup: setup);

        // The store's currency came from Shopify (shop.currencyCode), not from a setting: €1,200 is sent as it is to Rakuten France.
        var fr = (await setup.ListingsAsync("RakutenFr")).Single()!;
        fr["state"]!.GetValue<string>().Should().Be("Published");
        (fr["pricesSent"]![0]!["price"]!["amount"]!.GetValue<decimal>(), fr["pricesSent"]![0]!["price"]!["currency"]!.GetValue<string>()).Should().Be((1200m, "EUR"));
        await WaitAsync(async () => (await setup.FrOffersAsync()).Single()!["price"]!.GetValue<decimal>() == 1200m, "€1,200 on Rakuten France",
            meanwhile: setup.NextFileSlot, setup: setup);
        var rms = (await setup.ListingsAsync("RakutenJp")).Single()!;
        rms["error"]!["code"]!.GetValue<string>().Should().Be("RULE_CURRENCY");
        rms["error"]!["message"]!.GetValue<string>().Should().Contain("priced in EUR");

        var asOf = DateOnly.FromDateTime(setup.Hosts.Clock.Now.UtcDateTime).ToString("yyyy-MM-dd");
        (await setup.Hosts.Platform.PutAsJsonAsync($"/catalog/connections/{setup.Rms}/price-rule",
            new { convert = new { from = "EUR", to = "JPY", rate = 160, asOf }, rounding = new { step = 100 } })).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await WaitAsync(async () => (await setup.ListingsAsync("RakutenJp")).Single()!["state"]!.GetValue<string>() == "Published", "the mug on RMS in yen", setup: setup);
        (await setup.RmsItemsAsync()).Single()!["variants"]!.AsObject().Single().Value!["standardPrice"]!.GetValue<string>().Should().Be("192000");
    }

    [Fact]
    public async Task Each_RMS_item_takes_the_genre_its_product_type_or_tag_maps_to_and_the_connections_default_otherwise()
    {
        await using var setup = await Marketplace.StartAsync([("Plain box", "BOX-1")], beforeConnect: async sandbox =>
        {
            (await sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products", new
            {
                title = "Mug", productType = "Mugs", variants = new[] { new { sku = "MUG-1", price = 1200m } },
            })).EnsureSuccessStatusCode();
            (await sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products", new
            {
                title = "Linen shirt", productType = "Shirts", tags = new[] { "summer", "linen" }, variants = new[] { new { sku = "SHIRT-1", price = 5000m } },
            })).EnsureSuccessStatusCode();
            (await sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products", new
            {
                title = "Beach towel", collections = new[] { "summer-sale" }, variants = new[] { new { sku = "TOWEL-1", price = 3000m } },
            })).EnsureSuccessStatusCode();
            (await sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products", new
            {
                title = "Cap", productType = "Mugs", variants = new[] { new { sku = "CAP-1", price = 2500m, metafields = new[] { new { @namespace = "rakuten", key = "jp_genre", value = "558885" } } } },
            })).EnsureSuccessStatusCode();
        });
        await WaitAsync(async () => All(await setup.ListingsAsync("RakutenJp"), "Published", 5), "the five items on RMS", setup: setup);
        async Task<Dictionary<string, string>> GenresAsync() => (await setup.RmsItemsAsync())
            .ToDictionary(i => i!["title"]!.GetValue<string>(), i => i!["genreId"]!.GetValue<string>());
        (await GenresAsync()).Where(g => g.Key != "Cap").Select(g => g.Value).Should().OnlyContain(g => g == "100000", "no mapping yet: the deployment's default genre");
        (await GenresAsync())["Cap"].Should().Be("558885", "the variant's metafield rakuten.jp_genre names the genre outright");

        var platform = setup.Hosts.Platform;
        var bad = await platform.PutAsJsonAsync($"/channels/rakuten-jp/connections/{setup.Rms}/genres", new { rules = new[] { new { productType = "Mugs", genreId = "12" } } });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("rules[0].genreId");
        var set = await platform.PutAsJsonAsync($"/channels/rakuten-jp/connections/{setup.Rms}/genres", new
        {
            defaultGenreId = "200000",
            rules = new object[] { new { productType = "mugs", genreId = "215783" }, new { tag = "linen", genreId = "303656" }, new { collection = "summer-sale", genreId = "401234" } },
        });
        set.StatusCode.Should().Be(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());

        // A mapping applies to what is published next: publish the catalog again.
        (await JobPolling.RunAsync(platform, $"/catalog/ops/connections/{setup.Rms}/resync"))["state"]!.GetValue<string>().Should().Be("Succeeded");
        await WaitAsync(async () => (await GenresAsync()) is var g && g["Mug"] == "215783" && g["Linen shirt"] == "303656" && g["Plain box"] == "200000"
                                    && g["Beach towel"] == "401234" && g["Cap"] == "558885",
            "each item in its genre", setup: setup);
    }

    [Fact]
    public async Task A_variant_with_an_EAN_gets_its_French_offer_created_on_the_catalogue_product_and_takes_its_stock_one_without_waits()
    {
        await using var setup = await Marketplace.StartAsync([("Plate", "PLATE-1")], offers: [], beforeConnect: async sandbox =>
        {
            (await sandbox.PostAsJsonAsync("/control/rakuten-fr/catalogue", new { ean = "4901234567894", headline = "Mug (catalogue)" })).EnsureSuccessStatusCode();
            foreach (var (title, sku, barcode) in new[] { ("Mug", "MUG-1", "4901234567894"), ("Bowl", "BOWL-1", "4901234567900") })
            {
                (await sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products", new
                {
                    title, variants = new[] { new { sku, price = 1200m, barcode } },
                })).EnsureSuccessStatusCode();
            }

            (await sandbox.PutAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/inventory", new { sku = "MUG-1", available = 6 })).EnsureSuccessStatusCode();
        });
        await WaitAsync(async () => (await setup.ListingsAsync("RakutenFr")).Count(l => l!["state"]!.GetValue<string>() is "Published" or "Failed") == 3,
            "the three French listings settled", meanwhile: setup.NextFileSlot, setup: setup);

        var catalog = (await setup.Hosts.Platform.GetFromJsonAsync<JsonArray>("/catalog/products"))!;
        JsonNode Listing(JsonArray listings, string title) =>
            listings.Single(l => l!["productId"]!.GetValue<string>() == catalog.Single(p => p!["title"]!.GetValue<string>() == title)!["productId"]!.GetValue<string>())!;
        var listings = await setup.ListingsAsync("RakutenFr");
        Listing(listings, "Mug")["state"]!.GetValue<string>().Should().Be("Published", "its EAN names a product of Rakuten France's catalogue");
        Listing(listings, "Plate")["error"]!["code"]!.GetValue<string>().Should().Be("NO_OFFER");
        Listing(listings, "Plate")["error"]!["message"]!.GetValue<string>().Should().Contain("Give the variant its EAN");
        Listing(listings, "Bowl")["error"]!["message"]!.GetValue<string>().Should().Contain("Aucun produit du catalogue ne correspond (codebarres 4901234567900)");

        // Created with the price sent, and the stock Inventory gave the SKU (in the creating line, or in the next file when it
        // changed while the creation was on its way).
        await WaitAsync(async () => (await setup.FrOffersAsync()).SingleOrDefault(o => o!["sku"]!.GetValue<string>() == "MUG-1") is { } mug
            && mug["price"]!.GetValue<decimal>() == decimal.Round(1200m * EurPerYen, 2) && mug["stock"]!.GetValue<int>() == 6,
            "the created offer at the price sent with the stock known", meanwhile: setup.NextFileSlot, setup: setup);
        (await setup.Hosts.Sandbox.PutAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/inventory", new { sku = "MUG-1", available = 4 })).EnsureSuccessStatusCode();
        await WaitAsync(async () => (await setup.FrOffersAsync()).Single(o => o!["sku"]!.GetValue<string>() == "MUG-1")!["stock"]!.GetValue<int>() == 4,
            "the created offer follows the stock", meanwhile: setup.NextFileSlot, setup: setup);
    }

    [Fact]
    public async Task Images_go_to_R_Cabinet_once_and_items_reference_them_there_while_images_it_cannot_take_are_left_out_with_their_reason()
    {
        // A PNG header of 640×480 px, a JPEG over 2 MB, and a PDF served as a JPEG.
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 2, 0x80, 0, 0, 1, 0xE0, 8, 2, 0, 0, 0];
        var big = new byte[2 * 1024 * 1024 + 10];
        (big[0], big[1], big[2], big[3]) = (0xFF, 0xD8, 0xFF, 0xE0);
        var urls = new Dictionary<string, string>();
        var mugId = "";
        await using var setup = await Marketplace.StartAsync([("Plain box", "BOX-1")], beforeConnect: async sandbox =>
        {
            foreach (var (name, bytes, type) in new[] { ("mug.png", png, "image/png"), ("poster.jpg", big, "image/jpeg"), ("manual.jpg", "%PDF-1.7 manual"u8.ToArray(), "image/jpeg") })
            {
                var put = await sandbox.PutAsync($"/control/shopify/shops/{Marketplace.Shop}/files/{name}", new ByteArrayContent(bytes) { Headers = { ContentType = new(type) } });
                urls[name] = (await put.Content.ReadFromJsonAsync<JsonObject>())!["url"]!.GetValue<string>();
            }

            // The owner never opened R-Cabinet in RMS yet: CabinetAPI answers AuthError.
            (await sandbox.PutAsJsonAsync($"/control/rms/shops/{RmsShop}/cabinet", new { opened = false })).EnsureSuccessStatusCode();
            var created = await sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products", new
            {
                title = "Mug", variants = new[] { new { sku = "MUG-1", price = 1200m } },
                images = new[] { urls["mug.png"] + "?v=1", urls["poster.jpg"], urls["manual.jpg"], "http://169.254.169.254/latest/meta-data/iam.jpg" },
            });
            created.EnsureSuccessStatusCode();
            mugId = created.Headers.Location!.OriginalString.Split('/')[^1];
        });
        var platform = setup.Hosts.Platform;
        async Task<JsonObject> MugAsync() => (await setup.RmsItemsAsync()).OfType<JsonObject>().Single(i => i["title"]!.GetValue<string>() == "Mug");
        async Task<Dictionary<string, JsonObject>> ImagesAsync() => (await platform.GetFromJsonAsync<JsonArray>($"/channels/rakuten-jp/connections/{setup.Rms}/images"))!
            .OfType<JsonObject>().ToDictionary(i => i["sourceUrl"]!.GetValue<string>().Split('/')[^1]);
        await WaitAsync(async () => All(await setup.ListingsAsync("RakutenJp"), "Published", 2), "both items on RMS", setup: setup);
        (await MugAsync())["images"]!.AsArray().Should().BeEmpty("no image is in R-Cabinet, so the item references none");
        var first = await ImagesAsync();
        first["mug.png?v=1"]["errorCode"]!.GetValue<string>().Should().Be("CABINET_NOT_OPENED");
        first["mug.png?v=1"]["error"]!.GetValue<string>().Should().Contain("画像管理");
        first["poster.jpg"]["errorCode"]!.GetValue<string>().Should().Be("CABINET_NOT_OPENED", "R-Cabinet is checked before any image is downloaded");

        // The owner opens R-Cabinet; the catalog is published again.
        (await setup.Hosts.Sandbox.PutAsJsonAsync($"/control/rms/shops/{RmsShop}/cabinet", new { opened = true })).EnsureSuccessStatusCode();
        (await JobPolling.RunAsync(platform, $"/catalog/ops/connections/{setup.Rms}/resync"))["state"]!.GetValue<string>().Should().Be("Succeeded");
        await WaitAsync(async () => (await MugAsync())["images"]!.AsArray().Count == 1, "the mug's image on its item", setup: setup);
        var cabinet = (await setup.Hosts.Sandbox.GetFromJsonAsync<JsonObject>($"/control/rms/shops/{RmsShop}/cabinet"))!;
        var file = cabinet["files"]!.AsArray().Single()!;
        file["fileType"]!.GetValue<string>().Should().Be("jpg", "R-Cabinet stores a PNG as a JPG");
        (file["width"]!.GetValue<int>(), file["height"]!.GetValue<int>()).Should().Be((640, 480));
        cabinet["folders"]!.AsArray().Single()!["folderPath"]!.GetValue<string>().Should().Be("shopify");
        (await MugAsync())["images"]![0]!["location"]!.GetValue<string>().Should().Be(file["location"]!.GetValue<string>());

        var images = await ImagesAsync();
        images["mug.png?v=1"]["status"]!.GetValue<string>().Should().Be("uploaded");
        images["poster.jpg"]["errorCode"]!.GetValue<string>().Should().Be("IMAGE_TOO_LARGE");
        images["manual.jpg"]["errorCode"]!.GetValue<string>().Should().Be("IMAGE_TYPE");
        images["iam.jpg"]["errorCode"]!.GetValue<string>().Should().Be("IMAGE_SOURCE", "an address inside the network is never fetched");
        (await platform.GetFromJsonAsync<JsonArray>($"/channels/rakuten-jp/connections/{setup.Rms}/images?failed=true"))!.Should().HaveCount(3);

        // Publishing again uploads nothing again; a new version of the image (Shopify changes its ?v=) replaces the same file.
        (await JobPolling.RunAsync(platform, $"/catalog/ops/connections/{setup.Rms}/resync"))["state"]!.GetValue<string>().Should().Be("Succeeded");
        (await setup.Hosts.Sandbox.PutAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products/{mugId}", new
        {
            title = "Mug", variants = new[] { new { sku = "MUG-1", price = 1300m } }, images = new[] { urls["mug.png"] + "?v=2" },
        })).EnsureSuccessStatusCode();
        await WaitAsync(async () => (await MugAsync())["variants"]!.AsObject().Single().Value!["standardPrice"]!.GetValue<string>() == "1300", "the new price on RMS", setup: setup);
        var after = (await setup.Hosts.Sandbox.GetFromJsonAsync<JsonObject>($"/control/rms/shops/{RmsShop}/cabinet"))!;
        after["files"]!.AsArray().Should().ContainSingle("a new version of an image overwrites its file").Which!["fileId"]!.GetValue<long>().Should().Be(file["fileId"]!.GetValue<long>());
        (await MugAsync())["images"]!.AsArray().Select(i => i!["location"]!.GetValue<string>()).Should().Equal(file["location"]!.GetValue<string>());
        var inserts = (await setup.Hosts.Sandbox.GetFromJsonAsync<JsonArray>("/control/calls?api=rms"))!.OfType<JsonObject>()
            .Where(c => c["endpoint"]!.GetValue<string>() == "cabinet.file.insert").Sum(c => c["count"]!.GetValue<int>());
        inserts.Should().Be(2, "the first version once, the second once; the resync in between uploaded nothing");
    }

    [Fact]
    public async Task A_product_Rakuten_Frances_catalogue_lacks_gets_its_product_page_created_once_its_type_is_mapped_and_a_page_missing_an_attribute_says_which()
    {
        await using var setup = await Marketplace.StartAsync([("Plain box", "BOX-1")], beforeConnect: async sandbox =>
        {
            object Size(string sku, string size) => new
            {
                sku, price = 2000m, optionValues = new[] { size }, metafields = new[] { new { @namespace = "rakuten", key = "fr_taille", value = size } },
            };
            (await sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products", new
            {
                title = "Organic tee", vendor = "Acme", productType = "T-shirts", options = new[] { new { name = "Size", values = new[] { "S", "M" } } },
                variants = new[] { Size("TEE-S", "S"), Size("TEE-M", "M") }, images = new[] { "https://cdn.shopify.com/s/files/1/organic-tee.jpg" },
            })).EnsureSuccessStatusCode();
            (await sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/products", new
            {
                title = "Band tee", productType = "T-shirts", options = new[] { new { name = "Size", values = new[] { "L" } } },
                variants = new[] { Size("BAND-L", "L") }, images = new[] { "https://cdn.shopify.com/s/files/1/band-tee.jpg" },
            })).EnsureSuccessStatusCode();
        });
        var platform = setup.Hosts.Platform;
        var catalog = (await platform.GetFromJsonAsync<JsonArray>("/catalog/products"))!;
        async Task<JsonNode?> ListingAsync(string title)
        {
            catalog = (await platform.GetFromJsonAsync<JsonArray>("/catalog/products"))!;
            var product = catalog.SingleOrDefault(p => p!["title"]!.GetValue<string>() == title)?["productId"]!.GetValue<string>();
            return (await setup.ListingsAsync("RakutenFr")).SingleOrDefault(l => l!["productId"]!.GetValue<string>() == product);
        }

        await WaitAsync(async () => (await ListingAsync("Organic tee"))?["error"]?["code"]?.GetValue<string>() == "NO_OFFER", "no offer, no mapping yet", setup: setup);
        (await ListingAsync("Organic tee"))!["error"]!["message"]!.GetValue<string>().Should().Contain("map the product's type to a Rakuten France product type");

        // The merchant maps T-shirts to Rakuten France's mode_tshirt; an alias Rakuten France does not know is refused.
        var unknown = await platform.PutAsJsonAsync($"/channels/rakuten-fr/connections/{setup.Fr}/product-types", new { rules = new[] { new { productType = "T-shirts", alias = "mode_inconnu" } } });
        unknown.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadAsStringAsync()).Should().Contain("rules[0].alias").And.Contain("mode_inconnu");
        (await platform.PutAsJsonAsync($"/channels/rakuten-fr/connections/{setup.Fr}/product-types", new { rules = new[] { new { productType = "T-shirts", alias = "mode_tshirt" } } }))
            .EnsureSuccessStatusCode();
        var template = (await platform.GetFromJsonAsync<JsonObject>($"/channels/rakuten-fr/connections/{setup.Fr}/product-types/template?alias=mode_tshirt"))!;
        template["attributes"]!.AsArray().Single(a => a!["key"]!.GetValue<string>() == "taille")!["values"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Contain("M");
        template["filledByThePlatform"]!.AsArray().Select(k => k!.GetValue<string>()).Should().Contain(["titre", "fabricant", "image_url"]);
        (await platform.GetAsync($"/channels/rakuten-fr/connections/{setup.Fr}/product-types/template?alias=..%2Fx")).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        (await JobPolling.RunAsync(platform, $"/catalog/ops/connections/{setup.Fr}/resync"))["state"]!.GetValue<string>().Should().Be("Succeeded");
        await WaitAsync(async () => (await ListingAsync("Organic tee"))?["state"]?.GetValue<string>() == "Published", "the tee's pages and offers created",
            meanwhile: setup.NextFileSlot, setup: setup);
        var band = (await ListingAsync("Band tee"))!;
        band["error"]!["code"]!.GetValue<string>().Should().Be("PRODUCT_PAGE");
        band["error"]!["message"]!.GetValue<string>().Should().Contain("fabricant (Marque) has no value: set the variant's metafield rakuten.fr_fabricant in Shopify");

        var pages = (await setup.Hosts.Sandbox.GetFromJsonAsync<JsonArray>("/control/rakuten-fr/catalogue"))!.Where(p => p!["alias"]?.GetValue<string>() == "mode_tshirt").ToList();
        pages.Select(p => (p!["headline"]!.GetValue<string>(), p["attributes"]!["taille"]!.GetValue<string>(), p["attributes"]!["fabricant"]!.GetValue<string>(), p["imageUrl"]!.GetValue<string>()))
            .Should().BeEquivalentTo(new[] { ("Organic tee - S", "S", "Acme", "https://cdn.shopify.com/s/files/1/organic-tee.jpg"), ("Organic tee - M", "M", "Acme", "https://cdn.shopify.com/s/files/1/organic-tee.jpg") });
        var offers = (await setup.FrOffersAsync()).Where(o => o!["sku"]!.GetValue<string>().StartsWith("TEE-", StringComparison.Ordinal)).ToList();
        offers.Select(o => (o!["sku"]!.GetValue<string>(), o["price"]!.GetValue<decimal>())).Should().BeEquivalentTo(new[] { ("TEE-S", decimal.Round(2000m * EurPerYen, 2)), ("TEE-M", decimal.Round(2000m * EurPerYen, 2)) });
    }
}
