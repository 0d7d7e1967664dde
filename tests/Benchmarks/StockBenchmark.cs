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
        // The first seconds of load are not measured: the stock path has not run yet, and the JIT compiles it (then
        // recompiles the hot methods) on the same two cores — a cost paid once per process, not per change.
        var warmUp = OutboxBenchmark.Arg(args, "--warm-up", 10);
        // Rakuten France takes 10 stock files an hour (one every 6 minutes): the benchmark runs the same pusher with a
        // quota scaled up, in the Sandbox and the platform alike, and reports the latency against the spacing it allows.
        var frFilesPerHour = OutboxBenchmark.Arg(args, "--fr-files-per-hour", 360);
        var spacing = TimeSpan.FromHours(1) / frFilesPerHour;
        Console.WriteLine($"stock benchmark: {skus} SKUs, steady {rate}/s for {warmUp} s not measured + {seconds} s, then a burst of {burst:N0}; {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
        await using var hosts = await ChannelHosts.StartAsync(withCatalog: true, new Dictionary<string, string?>
        {
            ["Platform:RakutenJp:ItemsApiPerSecond"] = "0",
            ["Platform:Shopify:ReconcileInterval"] = "00:00:00",
            ["Platform:RakutenJp:StockReconcileInterval"] = "00:00:00",
            ["Platform:RakutenFr:StockFilesPerHour"] = frFilesPerHour.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Platform:RakutenFr:EurPer:JPY"] = "0.0062",
        }, LogLevel.Warning);
        // The real clock, as in production: a frozen test clock gives every stock webhook the same
        // X-Shopify-Triggered-At, and each then looks ambiguous and is re-read from Shopify.
        hosts.Clock.FollowRealTime();
        var sandbox = hosts.Sandbox;
        (await sandbox.PostAsJsonAsync("/control/shopify/shops", new { shop = "bench", accessToken = "shpat_bench", webhookSecret = "whsec_bench" })).EnsureSuccessStatusCode();
        (await sandbox.PutAsJsonAsync("/control/shopify/settings", new { bucketSize = 100_000, restoreRate = 100_000 })).EnsureSuccessStatusCode();
        (await sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "900002", url = "bench", serviceSecret = "sec-bench", licenseKey = "key-bench", licenseExpiresAt = DateTimeOffset.UtcNow.AddDays(80) })).EnsureSuccessStatusCode();
        (await sandbox.PutAsJsonAsync("/control/rms/settings", new { itemsApiPerSecond = 0 })).EnsureSuccessStatusCode();
        (await sandbox.PostAsJsonAsync("/control/rakuten-fr/sellers", new { login = "bench", token = "tok-bench" })).EnsureSuccessStatusCode();
        (await sandbox.PutAsJsonAsync("/control/rakuten-fr/settings", new { stockFilesPerHour = frFilesPerHour, requestsPerHour = 1_000_000 })).EnsureSuccessStatusCode();
        for (var i = 0; i < skus; i++)
        {
            (await sandbox.PostAsJsonAsync("/control/shopify/shops/bench/products", new { title = $"Item {i:D4}", variants = new[] { new { sku = $"S{i:D4}", price = 1000m } } })).EnsureSuccessStatusCode();
            (await sandbox.PostAsJsonAsync("/control/rakuten-fr/sellers/bench/offers", new { sku = $"S{i:D4}", headline = $"Item {i:D4}", price = 6.2m, stock = 0 })).EnsureSuccessStatusCode();
        }

        var tenant = hosts.Tenant;
        _ = (await (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", new
        {
            name = "RMS", baseUrl = hosts.SandboxUrl + "/rms", credentials = new { serviceSecret = "sec-bench", licenseKey = "key-bench", shopUrl = "bench" },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        _ = (await (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-fr/connections", new
        {
            name = "Rakuten France", baseUrl = hosts.SandboxUrl + "/rakuten-fr", credentials = new { login = "bench", token = "tok-bench" },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var shopify = (await (await hosts.Platform.PostAsJsonAsync("/channels/shopify/connections", new
        {
            name = "Shopify", baseUrl = hosts.SandboxUrl + "/shopify/bench", credentials = new { shop = "bench", accessToken = "shpat_bench", webhookSecret = "whsec_bench" },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        (await sandbox.PostAsJsonAsync("/control/shopify/shops/bench/webhooks", new { topic = "inventory_levels/update", callbackUrl = $"{hosts.Platform.BaseAddress}channels/shopify/webhooks/{shopify}" })).EnsureSuccessStatusCode();
        await WaitAsync(async () => (await hosts.Platform.GetFromJsonAsync<JsonArray>($"/catalog/listings"))!
            .Count(l => l!["state"]!.GetValue<string>() == "Published") == 2 * skus, TimeSpan.FromMinutes(5));
        Console.WriteLine($"{skus} items published to RMS and Rakuten France");

        // Where each SKU lives in RMS, to read the Sandbox's inventory back by SKU.
        var names = new Dictionary<(string, string), string>();
        await using (var scope = hosts.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Rakuten.Platform.Channels.RakutenJp.RakutenJpDbContext>();
            foreach (var s in await db.RmsSkus.AsNoTracking().ToListAsync()) names[(s.ManageNumber, s.VariantId)] = s.Sku;
        }

        string? SkuOf(string manageNumber, string variantId) => names.GetValueOrDefault((manageNumber, variantId));

        // Messages an earlier run left (killed) in the durable queues would be worked through first and counted here.
        Console.WriteLine($"queues at the start{await QueuesAsync()}");

        // Phase 1: steady rate. Each change gets a quantity never used before for its SKU.
        var rms = new Arrivals();
        var france = new Arrivals();
        var adapterLatencies = new ConcurrentBag<double>();
        var atAdapter = new ConcurrentDictionary<(string Sku, int Quantity), long>();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var entry in (await sandbox.GetFromJsonAsync<JsonArray>("/control/rms/shops/900002/inventory"))!)
                {
                    if (SkuOf(entry!["manageNumber"]!.GetValue<string>(), entry["variantId"]!.GetValue<string>()) is not { } sku) continue;
                    foreach (var change in rms.Seen(sku, entry["quantity"]!.GetValue<int>(), now))
                    {
                        if (atAdapter.TryGetValue((sku, change.Quantity), out var reached) && change.Second >= warmUp)
                            adapterLatencies.Add(Stopwatch.GetElapsedTime(change.At, reached).TotalMilliseconds);
                    }
                }

                now = Stopwatch.GetTimestamp();
                foreach (var offer in (await sandbox.GetFromJsonAsync<JsonArray>("/control/rakuten-fr/sellers/bench/offers"))!)
                {
                    france.Seen(offer!["sku"]!.GetValue<string>(), offer["stock"]!.GetValue<int>(), now);
                }

                await Task.Delay(100); // the resolution of the measurement; faster polling loads the machine it measures
            }
        });

        // Where the time goes: when each quantity reached the Rakuten JP adapter's table (after the webhook, Inventory
        // and both relays), the rest being the pusher's wait for its one call a second and the call itself.
        var adapterWatcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var now = Stopwatch.GetTimestamp();
                await using (var scope = hosts.Services.CreateAsyncScope())
                {
                    var rows = await scope.ServiceProvider.GetRequiredService<Rakuten.Platform.Channels.RakutenJp.RakutenJpDbContext>().StockPushes.AsNoTracking()
                        .Select(p => new { p.Sku, p.Quantity }).ToListAsync();
                    foreach (var row in rows) atAdapter.TryAdd((row.Sku, row.Quantity), now);
                }

                await Task.Delay(100);
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
                Console.WriteLine($"  backlog: {webhooks} webhooks unprocessed, {shopifyOutbox} + {inventoryOutbox} outbox rows unsent (shopify, inventory), {pushes} SKUs waiting for RMS{await QueuesAsync()}");
            }
        });

        var inFlight = new Dictionary<string, Task>();
        async Task SendAfterAsync(Task? previous, string sku, int quantity)
        {
            if (previous is not null) await previous;
            (await sandbox.PutAsJsonAsync("/control/shopify/shops/bench/inventory", new { sku, available = quantity })).EnsureSuccessStatusCode();
        }

        var counter = 0;
        var clock = Stopwatch.StartNew();
        var total = rate * (warmUp + seconds);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed);
            var sku = $"S{Random.Shared.Next(skus):D4}";
            var change = new Arrivals.Change(1 + Interlocked.Increment(ref counter) % 90_000, Stopwatch.GetTimestamp(), i / rate);
            rms.Sent(sku, change);
            france.Sent(sku, change);
            // Two changes of one SKU in flight at once could reach the Sandbox in either order: each waits for the previous.
            inFlight[sku] = SendAfterAsync(inFlight.GetValueOrDefault(sku), sku, change.Quantity);
        }

        await Task.WhenAll(inFlight.Values);
        try
        {
            await WaitAsync(() =>
            {
                // A watcher that failed would leave the benchmark waiting for changes it no longer looks at.
                foreach (var task in new[] { watcher, adapterWatcher }.Where(t => t.IsFaulted)) task.GetAwaiter().GetResult();
                return Task.FromResult(rms.AllArrived && france.AllArrived);
            }, TimeSpan.FromMinutes(2) + 2 * spacing);
        }
        catch (TimeoutException)
        {
            foreach (var waiting in rms.Waiting(3)) Console.WriteLine($"RMS {waiting}");
            foreach (var waiting in france.Waiting(3)) Console.WriteLine($"Rakuten France {waiting}");
            throw;
        }

        foreach (var window in rms.Windows(5, warmUp)) Console.WriteLine($"  RMS, {window}");
        var sorted = rms.Latencies(warmUp);
        Console.WriteLine($"steady {rate}/s for {seconds} s after {warmUp} s of warm-up: {rate * seconds:N0} changes; webhook → RMS p50 {Stats.Percentile(sorted, 50):N0} ms, p99 {Stats.Percentile(sorted, 99):N0} ms, max {sorted.LastOrDefault():N0} ms (target p99 <= 2,000 ms)");
        var toAdapter = adapterLatencies.Order().ToList();
        if (toAdapter.Count > 0)
            Console.WriteLine($"  of which webhook → Rakuten JP adapter's table (seen for {toAdapter.Count:N0} changes not overtaken on the way): p50 {Stats.Percentile(toAdapter, 50):N0} ms, p99 {Stats.Percentile(toAdapter, 99):N0} ms");
        var fr = france.Latencies(warmUp);
        Console.WriteLine($"webhook → Rakuten France p50 {Stats.Percentile(fr, 50) / 1000:N1} s, p99 {Stats.Percentile(fr, 99) / 1000:N1} s, max {fr.LastOrDefault() / 1000:N1} s; " +
                          $"the floor at {frFilesPerHour} files an hour is one file's spacing, {spacing.TotalSeconds:N0} s: p99 = {Stats.Percentile(fr, 99) / spacing.TotalMilliseconds:N2}× the floor (target <= 1.1×)");

        // Phase 2: a burst as fast as the Sandbox emits it; the rate at which channel quantities are computed.
        var versionBefore = await ChannelVersionsAsync(hosts, tenant);
        var deliveriesBefore = await DeliveriesAsync(hosts);
        var burstClock = Stopwatch.StartNew();
        // In requests of one change per SKU (the Sandbox's batch control, each change still its own webhook), one after
        // the other so that the last request's quantities are the finals: a request per change, 16 at a time, kept
        // the generator and the Sandbox to 280-440 changes/s on these cores, below what the platform was to show.
        foreach (var chunk in Enumerable.Range(0, burst).Chunk(skus))
        {
            (await sandbox.PutAsJsonAsync("/control/shopify/shops/bench/inventory/batch",
                chunk.Select(i => new { sku = $"S{i % skus:D4}", available = 1 + i % 50_000 }))).EnsureSuccessStatusCode();
        }

        var sendTime = burstClock.Elapsed;
        var finals = Enumerable.Range(burst - Math.Min(skus, burst), Math.Min(skus, burst)).ToDictionary(i => $"S{i % skus:D4}", i => 1 + i % 50_000);
        await WaitAsync(async () =>
        {
            var rows = (await hosts.Platform.GetFromJsonAsync<JsonArray>($"/inventory/stock"))!;
            return rows.All(r => !finals.TryGetValue(r!["sku"]!.GetValue<string>(), out var q) || r["locations"]![0]!["available"]!.GetValue<int>() == q);
        }, TimeSpan.FromMinutes(10));
        var processed = burstClock.Elapsed;
        var versionAfter = await ChannelVersionsAsync(hosts, tenant);
        Console.WriteLine($"burst: {burst:N0} changes made in the Sandbox in {sendTime.TotalSeconds:N1} s (its webhooks, 64 in flight, follow); " +
                          $"all applied by inventory after {processed.TotalSeconds:N1} s → sustained {burst / processed.TotalSeconds:N0} stock changes/s " +
                          $"(webhook stored, StockLevelReported, channel quantity recomputed; {versionAfter - versionBefore:N0} ChannelStockChanged published)");
        // Since webhooks are ordered by their signed updated_at (whole seconds), changes of one SKU within one second are
        // resolved by reading Shopify's current level: the finals can be reached before every delivery is worked through.
        // The pipeline's own throughput is when the last delivery of the burst has been processed.
        await WaitAsync(async () =>
        {
            await using var scope = hosts.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<Rakuten.Platform.Channels.Shopify.ShopifyDbContext>();
            return !await db.WebhookDeliveries.AnyAsync(d => d.ProcessedAt == null) && await DeliveriesAsync(hosts) >= deliveriesBefore + burst;
        }, TimeSpan.FromMinutes(10));
        var drained = burstClock.Elapsed;
        Console.WriteLine($"  every delivery of the burst stored and processed after {drained.TotalSeconds:N1} s → {burst / drained.TotalSeconds:N0} webhooks/s");
        // And through to the channel: each adapter takes every connection's ChannelStockChanged and keeps its own.
        await WaitAsync(async () => (await sandbox.GetFromJsonAsync<JsonArray>("/control/rms/shops/900002/inventory"))!
            .All(e => SkuOf(e!["manageNumber"]!.GetValue<string>(), e["variantId"]!.GetValue<string>()) is not { } sku
                      || !finals.TryGetValue(sku, out var q) || e["quantity"]!.GetValue<int>() == q), TimeSpan.FromMinutes(10));
        var atRms = burstClock.Elapsed;
        Console.WriteLine($"  every final quantity on RMS after {atRms.TotalSeconds:N1} s → {burst / atRms.TotalSeconds:N0} stock changes/s end to end");
        // The queues are durable: what a run leaves in them, the next run works through first. Rakuten France's
        // finals come with its next file.
        await WaitAsync(async () => (await sandbox.GetFromJsonAsync<JsonArray>("/control/rakuten-fr/sellers/bench/offers"))!
            .All(o => !finals.TryGetValue(o!["sku"]!.GetValue<string>(), out var q) || o["stock"]!.GetValue<int>() == q), TimeSpan.FromMinutes(10) + spacing);
        Console.WriteLine($"  and on Rakuten France after {burstClock.Elapsed.TotalSeconds:N1} s (its next file)");
        stop.Cancel();
        await watcher;
        return 0;
    }

    private static async Task<int> DeliveriesAsync(ChannelHosts hosts)
    {
        await using var scope = hosts.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Rakuten.Platform.Channels.Shopify.ShopifyDbContext>().WebhookDeliveries.CountAsync();
    }

    /// <summary>The broker's queues holding messages (RABBITMQ_MANAGEMENT_URL, as deploy/local/start.sh prints it).</summary>
    private static async Task<string> QueuesAsync()
    {
        if (Environment.GetEnvironmentVariable("RABBITMQ_MANAGEMENT_URL") is not { Length: > 0 } url) return "";
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        var queues = (await http.GetFromJsonAsync<JsonArray>("api/queues?columns=name,messages"))!
            .Where(q => q!["messages"]?.GetValue<long>() > 0).Select(q => $"{q!["name"]} {q["messages"]}");
        return $"; queued: {string.Join(", ", queues)}";
    }

    private static async Task<long> ChannelVersionsAsync(ChannelHosts hosts, Guid tenant) =>
        (await hosts.Platform.GetFromJsonAsync<JsonArray>($"/inventory/stock"))!
            .Sum(r => r!["channels"]!.AsArray().Sum(c => c!["version"]!.GetValue<long>()));


    private static Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout) =>
        Poll.UntilAsync(condition, timeout, TimeSpan.FromMilliseconds(100), "the stock benchmark to finish");
}
