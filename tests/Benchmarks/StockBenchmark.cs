using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Benchmarks;

/// <summary>Stock from a Shopify webhook to the RMS Sandbox, distributed mode (RabbitMQ + PostgreSQL, services in
/// one process): phase 1 holds a steady rate of stock changes and reports p50/p99 from the change in Shopify
/// (which sends the webhook) to RMS holding that quantity or a newer one; phase 2 sends a large burst as fast as
/// the Sandbox takes it and reports the sustained rate at which the platform turns changes into channel quantities.</summary>
public static class StockBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var skus = OutboxBenchmark.Arg(args, "--skus", 200);
        var rate = OutboxBenchmark.Arg(args, "--rate", 100);
        var seconds = OutboxBenchmark.Arg(args, "--seconds", 30);
        var burst = OutboxBenchmark.Arg(args, "--burst", 20_000);
        Console.WriteLine($"stock benchmark: {skus} SKUs, steady {rate}/s for {seconds} s, then a burst of {burst:N0}; {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
        await using var hosts = await ChannelHosts.StartAsync(withCatalog: true, new Dictionary<string, string?>
        {
            ["Platform:RakutenJp:ItemsApiPerSecond"] = "0",
            ["Platform:Shopify:ReconcileInterval"] = "00:00:00",
            ["Platform:RakutenJp:StockReconcileInterval"] = "00:00:00",
        }, LogLevel.Warning);
        // The real clock, as in production: a frozen test clock gives every stock webhook the same
        // X-Shopify-Triggered-At, and each then looks ambiguous and is re-read from Shopify.
        hosts.Clock.FollowRealTime();
        var sandbox = hosts.Sandbox;
        (await sandbox.PostAsJsonAsync("/control/shopify/shops", new { shop = "bench", accessToken = "shpat_bench", webhookSecret = "whsec_bench" })).EnsureSuccessStatusCode();
        (await sandbox.PutAsJsonAsync("/control/shopify/settings", new { bucketSize = 100_000, restoreRate = 100_000 })).EnsureSuccessStatusCode();
        (await sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "900002", serviceSecret = "sec-bench", licenseKey = "key-bench", licenseExpiresAt = DateTimeOffset.UtcNow.AddDays(80) })).EnsureSuccessStatusCode();
        (await sandbox.PutAsJsonAsync("/control/rms/settings", new { itemsApiPerSecond = 0 })).EnsureSuccessStatusCode();
        for (var i = 0; i < skus; i++)
        {
            (await sandbox.PostAsJsonAsync("/control/shopify/shops/bench/products", new { title = $"Item {i:D4}", variants = new[] { new { sku = $"S{i:D4}", price = 1000m } } })).EnsureSuccessStatusCode();
        }

        var tenant = Guid.NewGuid();
        _ = (await (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", new
        {
            tenantId = tenant, name = "RMS", baseUrl = hosts.SandboxUrl + "/rms", credentials = new { serviceSecret = "sec-bench", licenseKey = "key-bench", shopUrl = "bench" },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var shopify = (await (await hosts.Platform.PostAsJsonAsync("/channels/shopify/connections", new
        {
            tenantId = tenant, name = "Shopify", baseUrl = hosts.SandboxUrl + "/shopify/bench", credentials = new { shop = "bench", accessToken = "shpat_bench", webhookSecret = "whsec_bench" },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        (await sandbox.PostAsJsonAsync("/control/shopify/shops/bench/webhooks", new { topic = "inventory_levels/update", callbackUrl = $"{hosts.Platform.BaseAddress}channels/shopify/webhooks/{shopify}" })).EnsureSuccessStatusCode();
        await WaitAsync(async () => (await hosts.Platform.GetFromJsonAsync<JsonArray>($"/catalog/listings?tenantId={tenant}"))!
            .Count(l => l!["state"]!.GetValue<string>() == "Published") == skus, TimeSpan.FromMinutes(5));
        Console.WriteLine($"{skus} items published to RMS");

        // Where each SKU lives in RMS, to read the Sandbox's inventory back by SKU.
        var names = new Dictionary<(string, string), string>();
        await using (var scope = hosts.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Rakuten.Platform.Channels.RakutenJp.RakutenJpDbContext>();
            foreach (var s in await db.RmsSkus.AsNoTracking().ToListAsync()) names[(s.ManageNumber, s.VariantId)] = s.Sku;
        }

        string? SkuOf(string manageNumber, string variantId) => names.GetValueOrDefault((manageNumber, variantId));

        // Phase 1: steady rate. Each change gets a quantity never used before for its SKU.
        var sent = new ConcurrentDictionary<string, List<(int Quantity, long At)>>();
        var latencies = new ConcurrentBag<double>();
        var observed = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var entry in (await sandbox.GetFromJsonAsync<JsonArray>("/control/rms/shops/900002/inventory"))!)
                {
                    var sku = SkuOf(entry!["manageNumber"]!.GetValue<string>(), entry["variantId"]!.GetValue<string>());
                    var quantity = entry["quantity"]!.GetValue<int>();
                    if (sku is null || observed.TryGetValue(sku, out var last) && last == quantity || !sent.TryGetValue(sku, out var list)) continue;
                    observed[sku] = quantity;
                    lock (list)
                    {
                        var index = list.FindIndex(s => s.Quantity == quantity);
                        if (index < 0) continue;
                        // That quantity and every earlier change of the SKU have now reached RMS.
                        foreach (var change in list.Take(index + 1)) latencies.Add(Stopwatch.GetElapsedTime(change.At, now).TotalMilliseconds);
                        list.RemoveRange(0, index + 1);
                    }
                }

                await Task.Delay(100); // the resolution of the measurement; faster polling loads the machine it measures
            }
        });

        // Where a backlog builds, if one does: webhooks stored but not processed, quantities not yet pushed.
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(5000);
                await using var scope = hosts.Services.CreateAsyncScope();
                var webhooks = await scope.ServiceProvider.GetRequiredService<Rakuten.Platform.Channels.Shopify.ShopifyDbContext>().WebhookDeliveries.CountAsync(d => d.ProcessedAt == null);
                var shopifyOutbox = await scope.ServiceProvider.GetRequiredService<Rakuten.Platform.Channels.Shopify.ShopifyDbContext>().Outbox.CountAsync(o => o.SentAt == null);
                var inventoryOutbox = await scope.ServiceProvider.GetRequiredService<Rakuten.Platform.Inventory.InventoryDbContext>().Outbox.CountAsync(o => o.SentAt == null);
                var pushes = await scope.ServiceProvider.GetRequiredService<Rakuten.Platform.Channels.RakutenJp.RakutenJpDbContext>().StockPushes.CountAsync(p => p.Version > p.PushedVersion);
                Console.WriteLine($"  backlog: {webhooks} webhooks unprocessed, {shopifyOutbox} + {inventoryOutbox} outbox rows unsent (shopify, inventory), {pushes} SKUs waiting for RMS");
            }
        });

        var counter = 0;
        var clock = Stopwatch.StartNew();
        var total = rate * seconds;
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed);
            var sku = $"S{Random.Shared.Next(skus):D4}";
            var quantity = 1 + Interlocked.Increment(ref counter) % 90_000;
            var list = sent.GetOrAdd(sku, _ => []);
            lock (list) list.Add((quantity, Stopwatch.GetTimestamp()));
            _ = sandbox.PutAsJsonAsync("/control/shopify/shops/bench/inventory", new { sku, available = quantity });
        }

        try
        {
            await WaitAsync(() => Task.FromResult(sent.Values.All(l => { lock (l) return l.Count == 0; })), TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            foreach (var (sku, list) in sent.Where(s => s.Value.Count > 0).Take(3))
            {
                Console.WriteLine($"{sku}: waiting for {string.Join(",", list.Select(l => l.Quantity))}; RMS shows {observed.GetValueOrDefault(sku)}; " +
                                  $"inventory {await hosts.Platform.GetStringAsync($"/inventory/stock?tenantId={tenant}&sku={sku}")}");
            }

            throw;
        }
        var sorted = latencies.Order().ToList();
        Console.WriteLine($"steady {rate}/s for {seconds} s: {total:N0} changes; webhook → RMS p50 {Stats.Percentile(sorted, 50):N0} ms, p99 {Stats.Percentile(sorted, 99):N0} ms, max {sorted.Last():N0} ms (target p99 <= 2,000 ms)");

        // Phase 2: a burst as fast as the Sandbox emits it; the rate at which channel quantities are computed.
        var versionBefore = await ChannelVersionsAsync(hosts, tenant);
        var burstClock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, burst), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            (await sandbox.PutAsJsonAsync("/control/shopify/shops/bench/inventory", new { sku = $"S{i % skus:D4}", available = 1 + i % 50_000 })).EnsureSuccessStatusCode());
        var sendTime = burstClock.Elapsed;
        var finals = Enumerable.Range(burst - Math.Min(skus, burst), Math.Min(skus, burst)).ToDictionary(i => $"S{i % skus:D4}", i => 1 + i % 50_000);
        await WaitAsync(async () =>
        {
            var rows = (await hosts.Platform.GetFromJsonAsync<JsonArray>($"/inventory/stock?tenantId={tenant}"))!;
            return rows.All(r => !finals.TryGetValue(r!["sku"]!.GetValue<string>(), out var q) || r["locations"]![0]!["available"]!.GetValue<int>() == q);
        }, TimeSpan.FromMinutes(10));
        var processed = burstClock.Elapsed;
        var versionAfter = await ChannelVersionsAsync(hosts, tenant);
        Console.WriteLine($"burst: {burst:N0} changes sent in {sendTime.TotalSeconds:N1} s ({burst / sendTime.TotalSeconds:N0}/s, the Sandbox emitting webhooks); " +
                          $"all applied by inventory after {processed.TotalSeconds:N1} s → sustained {burst / processed.TotalSeconds:N0} stock changes/s " +
                          $"(webhook stored, StockLevelReported, channel quantity recomputed; {versionAfter - versionBefore:N0} ChannelStockChanged published)");
        stop.Cancel();
        await watcher;
        return 0;
    }

    private static async Task<long> ChannelVersionsAsync(ChannelHosts hosts, Guid tenant) =>
        (await hosts.Platform.GetFromJsonAsync<JsonArray>($"/inventory/stock?tenantId={tenant}"))!
            .Sum(r => r!["channels"]!.AsArray().Sum(c => c!["version"]!.GetValue<long>()));


    private static Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout) =>
        Poll.UntilAsync(condition, timeout, TimeSpan.FromMilliseconds(100), "the stock benchmark to finish");
}
