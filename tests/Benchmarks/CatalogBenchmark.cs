using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Benchmarks;

/// <summary>Time to publish a whole catalog to the RMS Sandbox, against the floor its enforced Items API rate
/// sets (one upsert per item at N per second): the catalog is imported from the Shopify Sandbox first, then a
/// Rakuten JP connection is added and the clock runs until every listing is Published. Catalog, channels,
/// RabbitMQ and PostgreSQL as in distributed mode, in one process.</summary>
public static class CatalogBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var products = OutboxBenchmark.Arg(args, "--products", 500);
        var variants = OutboxBenchmark.Arg(args, "--variants", 20);
        var rate = OutboxBenchmark.Arg(args, "--items-per-second", 5);
        Console.WriteLine($"catalog benchmark: {products:N0} products x {variants} variants = {products * variants:N0} variants to RMS, Items API {rate}/s, " +
                          $"{Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
        await using var hosts = await ChannelHosts.StartAsync(withCatalog: true, new Dictionary<string, string?>
        {
            ["Platform:RakutenJp:ItemsApiPerSecond"] = rate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Platform:Shopify:ReconcileInterval"] = "00:00:00",
            ["Logging:LogLevel:Default"] = "Warning",
        }, LogLevel.Warning);
        var sandbox = hosts.Sandbox;
        (await sandbox.PostAsJsonAsync("/control/shopify/shops", new { shop = "bench", accessToken = "shpat_bench", webhookSecret = "whsec_bench" })).EnsureSuccessStatusCode();
        (await sandbox.PutAsJsonAsync("/control/shopify/settings", new { bucketSize = 100_000, restoreRate = 100_000 })).EnsureSuccessStatusCode();
        (await sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "900001", url = "bench-shop", serviceSecret = "sec-bench", licenseKey = "key-bench", licenseExpiresAt = DateTimeOffset.UtcNow.AddDays(80) })).EnsureSuccessStatusCode();
        (await sandbox.PutAsJsonAsync("/control/rms/settings", new { itemsApiPerSecond = rate })).EnsureSuccessStatusCode();
        var sizes = Enumerable.Range(1, variants).Select(i => $"Size {i}").ToArray();
        for (var p = 0; p < products; p++)
        {
            (await sandbox.PostAsJsonAsync("/control/shopify/shops/bench/products", new
            {
                title = $"Product {p:D5}", vendor = "Bench", options = new[] { new { name = "Size", values = sizes } },
                variants = sizes.Select((s, i) => new { sku = $"P{p:D5}-{i:D2}", price = 1000m + i, optionValues = new[] { s } }).ToArray(),
            })).EnsureSuccessStatusCode();
        }

        var tenant = hosts.Tenant;
        (await hosts.Platform.PostAsJsonAsync("/channels/shopify/connections", new
        {
            name = "Shopify", baseUrl = hosts.SandboxUrl + "/shopify/bench",
            credentials = new { shop = "bench", accessToken = "shpat_bench", webhookSecret = "whsec_bench" },
        })).EnsureSuccessStatusCode();
        await WaitAsync(async () => (await hosts.Platform.GetFromJsonAsync<JsonArray>($"/catalog/products"))!.Count == products, TimeSpan.FromMinutes(10));
        Console.WriteLine($"catalog imported from Shopify: {products:N0} products");

        (await sandbox.DeleteAsync("/control/calls")).EnsureSuccessStatusCode();
        var clock = Stopwatch.StartNew();
        (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", new
        {
            name = "RMS", baseUrl = hosts.SandboxUrl + "/rms",
            credentials = new { serviceSecret = "sec-bench", licenseKey = "key-bench", shopUrl = "bench-shop" },
        })).EnsureSuccessStatusCode();
        JsonArray listings = [];
        await WaitAsync(async () =>
        {
            listings = (await hosts.Platform.GetFromJsonAsync<JsonArray>($"/catalog/listings"))!;
            return listings.Count == products && listings.All(l => l!["state"]!.GetValue<string>() is "Published" or "Failed");
        }, TimeSpan.FromMinutes(30));
        var elapsed = clock.Elapsed;

        var calls = (await sandbox.GetFromJsonAsync<JsonArray>("/control/calls?api=rms"))!
            .Where(c => c!["endpoint"]!.GetValue<string>().StartsWith("items.", StringComparison.Ordinal)).ToList();
        int Count(Func<int, bool> status) => calls.Where(c => status(c!["status"]!.GetValue<int>())).Sum(c => c!["count"]!.GetValue<int>());
        var accepted = Count(s => s < 300);
        var throttled = Count(s => s == 429);
        var failed = listings.Count(l => l!["state"]!.GetValue<string>() == "Failed");
        var floor = TimeSpan.FromSeconds((double)products / rate);
        Console.WriteLine($"published:     {products - failed:N0} items ({products * variants:N0} variants), {failed} failed, in {elapsed.TotalSeconds:N1} s " +
                          $"(from adding the connection to the last listing Published)");
        Console.WriteLine($"RMS calls:     {accepted:N0} accepted items calls, {throttled} answered 429");
        Console.WriteLine($"floor:         {floor.TotalSeconds:N1} s ({products:N0} upserts at {rate}/s)");
        Console.WriteLine($"ratio:         {elapsed / floor:N3} x the floor (target <= 1.2)");
        return 0;
    }

    private static Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout) =>
        Poll.UntilAsync(condition, timeout, TimeSpan.FromMilliseconds(250), "the catalog benchmark to finish");
}
