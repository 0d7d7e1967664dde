using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Benchmarks;

/// <summary>An RMS shop's order history read by a new connection (issue 22): N orders spread over the last 90 days in
/// every status (most already paid, some shipped, cancelled, still to confirm or to ship), the Order API at one call a
/// second as RMS asks and the Sandbox enforces. The clock runs from the first poll (the backfill) until every order is on
/// the platform, and is set against the Order API's own floor: the fewest calls the history needs (a search page per
/// 1,000 orders per 63-day window, a getOrder per 100) at one a second. Then "sync orders now" over the same 90 days,
/// which must find everything already there.</summary>
public static class OrderHistoryBenchmark
{
    private const string ShopId = "900005";

    public static async Task<int> RunAsync(string[] args)
    {
        var orders = OutboxBenchmark.Arg(args, "--orders", 20_000);
        var days = OutboxBenchmark.Arg(args, "--days", 90);
        Console.WriteLine($"order history benchmark: {orders:N0} RMS orders over {days} days, Order API 1 call/s, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
        await using var hosts = await ChannelHosts.StartAsync(withCatalog: true, new Dictionary<string, string?>
        {
            ["Platform:RakutenJp:OrderApiSpacing"] = "00:00:01",
            ["Platform:RakutenJp:OrderBackfill"] = TimeSpan.FromDays(days).ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        }, LogLevel.Warning);
        hosts.Clock.FollowRealTime();
        var sandbox = hosts.Sandbox;
        (await sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = ShopId, url = "history", serviceSecret = "sec-history", licenseKey = "key-history",
            licenseExpiresAt = DateTimeOffset.UtcNow.AddDays(80) })).EnsureSuccessStatusCode();
        (await sandbox.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 1 })).EnsureSuccessStatusCode();

        // Oldest first, evenly over the period (a minute short of its start, so the backfill's horizon holds them all).
        var now = DateTimeOffset.UtcNow;
        var span = TimeSpan.FromDays(days) - TimeSpan.FromMinutes(10);
        for (var start = 0; start < orders; start += 5_000)
        {
            var batch = Enumerable.Range(start, Math.Min(5_000, orders - start)).Select(i => new
            {
                buyer = new { familyName = "楽天", firstName = "花子", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1" },
                packages = new[] { new { items = new[] { new { manageNumber = "v_mug", variantId = "v_mug-v", merchantDefinedSkuId = "MUG-1", itemName = "マグ", price = 1500 } }, postagePrice = 500 } },
                orderedAt = now - span + span * i / orders,
                // Most of a 90-day history is paid; the newest orders are the ones still to confirm or to ship.
                orderProgress = i % 10 == 0 ? 900 : i > orders * 95 / 100 ? (i % 2 == 0 ? 100 : 300) : i > orders * 85 / 100 ? 500 : 700,
            }).ToList();
            (await sandbox.PostAsJsonAsync($"/control/rms/shops/{ShopId}/orders/bulk", new { orders = batch })).EnsureSuccessStatusCode();
        }

        var connection = (await (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", new
        {
            name = "RMS", baseUrl = hosts.SandboxUrl + "/rms", credentials = new { serviceSecret = "sec-history", licenseKey = "key-history", shopUrl = "history" },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        Console.WriteLine($"set up: {orders:N0} orders in the Sandbox; connection {connection}");
        (await sandbox.DeleteAsync("/control/calls")).EnsureSuccessStatusCode();

        var clock = Stopwatch.StartNew();
        await hosts.Services.GetRequiredService<RmsOrderPoller>().PollAllAsync(CancellationToken.None);
        var polled = clock.Elapsed;
        await Poll.UntilAsync(async () => await OnPlatformAsync(hosts) >= orders, TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(250), $"{orders} orders on the platform");
        var elapsed = clock.Elapsed;
        var calls = (await sandbox.GetFromJsonAsync<JsonArray>("/control/calls?api=rms"))!.OfType<JsonObject>()
            .Select(c => (Endpoint: c["endpoint"]!.GetValue<string>(), Status: c["status"]!.GetValue<int>(), Count: c["count"]!.GetValue<int>())).ToList();
        int Count(Func<(string Endpoint, int Status, int Count), bool> which) => calls.Where(which).Sum(c => c.Count);
        var windows = RmsOrderImporter.Windows(now - TimeSpan.FromDays(days), now).Count();
        // A search page per 1,000 matches in each window (at least one), and a getOrder per 100 orders.
        var perWindow = (double)orders / windows;
        var floorCalls = windows * (int)Math.Ceiling(Math.Max(1, perWindow) / 1000) + (int)Math.Ceiling(orders / 100.0);
        var floor = TimeSpan.FromSeconds(floorCalls);
        Console.WriteLine($"backfill: {orders:N0} orders on the platform in {elapsed.TotalSeconds:N1} s (the poll itself {polled.TotalSeconds:N1} s); " +
                          $"{Count(_ => true)} Order API calls ({Count(c => c.Endpoint.Contains("searchOrder"))} searchOrder, {Count(c => c.Endpoint.Contains("getOrder"))} getOrder), " +
                          $"{Count(c => c.Status == 429)} answered 429; floor {floorCalls} calls at 1/s = {floor.TotalSeconds:N0} s; " +
                          $"{elapsed / floor:N2}x the floor (target <= 1.2x)");

        // "Sync orders now" over the same days: every order is found and already there.
        var sync = await (await hosts.Platform.PostAsJsonAsync($"/channels/rakuten-jp/connections/{connection}/orders/sync", new { from = now - TimeSpan.FromDays(days) }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
        clock.Restart();
        JsonObject? view = null;
        await Poll.UntilAsync(async () => (view = await hosts.Platform.GetFromJsonAsync<JsonObject>(sync!["location"]!.GetValue<string>()))!["state"]!.GetValue<string>() is "Succeeded" or "Failed",
            TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(500), "the order sync");
        Console.WriteLine($"sync orders now over {days} days: {view!["state"]} in {clock.Elapsed.TotalSeconds:N1} s — found {view["found"]}, imported {view["imported"]}, " +
                          $"already there {view["alreadyThere"]}; orders on the platform {await OnPlatformAsync(hosts):N0}");
        return view["imported"]!.GetValue<int>() == 0 && await OnPlatformAsync(hosts) == orders ? 0 : 1;
    }

    private static async Task<int> OnPlatformAsync(ChannelHosts hosts)
    {
        await using var scope = hosts.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Rakuten.Platform.Orders.OrdersDbContext>().Orders.CountAsync();
    }
}
