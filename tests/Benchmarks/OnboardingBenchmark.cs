using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Benchmarks;

/// <summary>Time to onboard an RMS shop that already sells, against the floor its enforced Items API rate sets: the shop
/// holds N items of K SKUs each (some of them Shopify's products too), a Rakuten JP connection is added, and the clock runs
/// until the onboarding report has the whole inventory (every <c>items.search</c> page read at 100 items a call, sent
/// as events, matched against the catalog). Catalog, channels, RabbitMQ and PostgreSQL in one process.</summary>
public static class OnboardingBenchmark
{
    private const string ShopId = "900002";

    public static async Task<int> RunAsync(string[] args)
    {
        var items = OutboxBenchmark.Arg(args, "--items", 10_000);
        var skusPerItem = OutboxBenchmark.Arg(args, "--skus", 3);
        var products = OutboxBenchmark.Arg(args, "--shopify-products", 1_000);
        var rate = OutboxBenchmark.Arg(args, "--items-per-second", 5);
        products = Math.Min(products, items);
        Console.WriteLine($"onboarding benchmark: an RMS shop of {items:N0} items x {skusPerItem} SKUs = {items * skusPerItem:N0} SKUs, {products:N0} of them " +
                          $"also Shopify products, Items API {rate}/s, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
        await using var hosts = await ChannelHosts.StartAsync(withCatalog: true, new Dictionary<string, string?>
        {
            ["Platform:RakutenJp:ItemsApiPerSecond"] = rate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Platform:Shopify:ReconcileInterval"] = "00:00:00",
            ["Logging:LogLevel:Default"] = "Warning",
        }, LogLevel.Warning);
        var sandbox = hosts.Sandbox;
        (await sandbox.PostAsJsonAsync("/control/shopify/shops", new { shop = "onboard", accessToken = "shpat_onboard", webhookSecret = "whsec_onboard" })).EnsureSuccessStatusCode();
        (await sandbox.PutAsJsonAsync("/control/shopify/settings", new { bucketSize = 100_000, restoreRate = 100_000 })).EnsureSuccessStatusCode();
        (await sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = ShopId, url = "onboard-shop", serviceSecret = "sec-onboard", licenseKey = "key-onboard",
            licenseExpiresAt = DateTimeOffset.UtcNow.AddDays(80) })).EnsureSuccessStatusCode();
        (await sandbox.PutAsJsonAsync("/control/rms/settings", new { itemsApiPerSecond = rate })).EnsureSuccessStatusCode();

        var sizes = Enumerable.Range(1, skusPerItem).Select(i => $"Size {i}").ToArray();
        for (var start = 0; start < items; start += 500)
        {
            var batch = new JsonObject();
            foreach (var i in Enumerable.Range(start, Math.Min(500, items - start)))
            {
                batch[$"item-{i:D6}"] = new JsonObject
                {
                    ["title"] = $"Item {i:D6}", ["itemType"] = "NORMAL", ["genreId"] = "100371", ["hideItem"] = false,
                    ["variants"] = new JsonObject(sizes.Select((_, s) => KeyValuePair.Create($"sku{s}", (JsonNode?)new JsonObject
                    {
                        ["merchantDefinedSkuId"] = $"I{i:D6}-{s}", ["standardPrice"] = "1000",
                    }))),
                };
            }

            (await sandbox.PostAsJsonAsync($"/control/rms/shops/{ShopId}/items", batch)).EnsureSuccessStatusCode();
        }

        for (var p = 0; p < products; p++)
        {
            (await sandbox.PostAsJsonAsync("/control/shopify/shops/onboard/products", new
            {
                title = $"Item {p:D6}", vendor = "Bench", options = new[] { new { name = "Size", values = sizes } },
                variants = sizes.Select((s, i) => new { sku = $"I{p:D6}-{i}", price = 1000m, optionValues = new[] { s } }).ToArray(),
            })).EnsureSuccessStatusCode();
        }

        (await hosts.Platform.PostAsJsonAsync("/channels/shopify/connections", new
        {
            name = "Shopify", baseUrl = hosts.SandboxUrl + "/shopify/onboard",
            credentials = new { shop = "onboard", accessToken = "shpat_onboard", webhookSecret = "whsec_onboard" },
        })).EnsureSuccessStatusCode();
        await Poll.UntilAsync(async () => (await hosts.Platform.GetFromJsonAsync<JsonArray>("/catalog/products"))!.Count == products, TimeSpan.FromMinutes(10),
            TimeSpan.FromMilliseconds(500), "the Shopify catalog to be imported");
        Console.WriteLine($"set up: {items:N0} RMS items, {products:N0} Shopify products imported");

        (await sandbox.DeleteAsync("/control/calls")).EnsureSuccessStatusCode();
        var clock = Stopwatch.StartNew();
        var connection = (await (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", new
        {
            name = "RMS", baseUrl = hosts.SandboxUrl + "/rms",
            credentials = new { serviceSecret = "sec-onboard", licenseKey = "key-onboard", shopUrl = "onboard-shop" },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        JsonObject report = [];
        await Poll.UntilAsync(async () =>
        {
            // 404 until the catalog has heard of the connection.
            using var answer = await hosts.Platform.GetAsync($"/catalog/onboarding/{connection}?limit=1");
            if (answer.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return false;
            }

            report = (await answer.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!;
            return report["inventory"]!["state"]!.GetValue<string>() == "Complete";
        }, TimeSpan.FromMinutes(30), TimeSpan.FromMilliseconds(250), "the inventory to complete");
        var elapsed = clock.Elapsed;

        var read = Stopwatch.StartNew();
        report = (await hosts.Platform.GetFromJsonAsync<JsonObject>($"/catalog/onboarding/{connection}?limit=200"))!;
        var readTime = read.Elapsed;
        var calls = (await sandbox.GetFromJsonAsync<JsonArray>("/control/calls?api=rms"))!
            .Where(c => c!["endpoint"]!.GetValue<string>() == "items.search").ToList();
        int Count(Func<int, bool> status) => calls.Where(c => status(c!["status"]!.GetValue<int>())).Sum(c => c!["count"]!.GetValue<int>());
        var counts = report["counts"]!;
        var pages = (items + 99) / 100;
        var floor = TimeSpan.FromSeconds((double)pages / rate);
        Console.WriteLine($"inventoried:   {report["inventory"]!["items"]} items in {report["inventory"]!["pages"]} pages, in {elapsed.TotalSeconds:N1} s " +
                          "(from adding the connection to the report's inventory Complete)");
        Console.WriteLine($"report:        matched {counts["matched"]}, unmatched on RMS {counts["unmatchedOnChannel"]}, unmatched in Shopify {counts["unmatchedInShopify"]}, " +
                          $"conflicts {counts["conflicts"]}; one read of it took {readTime.TotalMilliseconds:N0} ms");
        Console.WriteLine($"RMS calls:     {Count(s => s < 300):N0} items.search accepted, {Count(s => s == 429)} answered 429");
        Console.WriteLine($"floor:         {floor.TotalSeconds:N1} s ({pages:N0} items.search pages of 100 at {rate}/s)");
        Console.WriteLine($"ratio:         {elapsed / floor:N3} x the floor (target <= 1.2)");
        var expected = counts["matched"]!.GetValue<int>() == products && counts["unmatchedOnChannel"]!.GetValue<int>() == items - products;
        if (!expected)
        {
            Console.WriteLine($"UNEXPECTED: the report should match {products} and leave {items - products} unmatched on RMS");
        }

        return expected ? 0 : 1;
    }
}
