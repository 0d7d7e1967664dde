using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.Integration.Tests.Infrastructure;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Shopify stock → Inventory → RMS and Rakuten France (issue 6), on RabbitMQ, PostgreSQL and the Sandbox.</summary>
public sealed class StockSyncTests
{
    private static async Task SetShopifyStockAsync(Marketplace m, string sku, int available, string? location = null) =>
        (await m.Hosts.Sandbox.PutAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/inventory",
            new { sku, locationId = location is null ? (long?)null : long.Parse(location), available })).EnsureSuccessStatusCode();

    private static async Task<JsonArray> RmsStockAsync(Marketplace m) =>
        (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rms/shops/{Marketplace.RmsShop}/inventory"))!;

    private static async Task<int?> RmsQuantityAsync(Marketplace m) => (await RmsStockAsync(m)).SingleOrDefault()?["quantity"]!.GetValue<int>();

    private static async Task<int> FrStockAsync(Marketplace m, string sku) =>
        (await m.FrOffersAsync()).Single(o => o!["sku"]!.GetValue<string>() == sku)!["stock"]!.GetValue<int>();

    private static async Task<string> AddLocationAsync(Marketplace m, string name) =>
        (await (await m.Hosts.Sandbox.PostAsJsonAsync($"/control/shopify/shops/{Marketplace.Shop}/locations", new { name }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["numericId"]!.ToString();

    [Fact]
    public async Task Locations_are_summed_buffers_and_caps_apply_per_channel_and_reconciliation_repairs_a_change_behind_our_back()
    {
        await using var m = await Marketplace.StartAsync([("Teapot", "TEA-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the teapot on RMS");
        var osaka = await AddLocationAsync(m, "Osaka");

        await SetShopifyStockAsync(m, "TEA-1", 5, m.Location);
        await SetShopifyStockAsync(m, "TEA-1", 7, osaka);

        await Marketplace.WaitAsync(async () => await RmsQuantityAsync(m) == 12, "5 + 7 on RMS", setup: m);
        await Marketplace.WaitAsync(async () => await FrStockAsync(m, "TEA-1") == 12, "5 + 7 on Rakuten France", meanwhile: m.NextFileSlot);

        // Japan is fed by the first warehouse only, keeping 2 back; France lists at most 4.
        var bad = await m.Hosts.Platform.PutAsJsonAsync($"/inventory/connections/{m.Rms}/rules", new { locations = Array.Empty<string>(), buffer = -1 });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("buffer must be 0 or more").And.Contain("locations must name at least one location");
        (await m.Hosts.Platform.PutAsJsonAsync($"/inventory/connections/{m.Rms}/rules", new { locations = new[] { m.Location }, buffer = 2 })).EnsureSuccessStatusCode();
        (await m.Hosts.Platform.PutAsJsonAsync($"/inventory/connections/{m.Fr}/rules", new { maxQuantity = 4 })).EnsureSuccessStatusCode();

        await Marketplace.WaitAsync(async () => await RmsQuantityAsync(m) == 3, "5 − 2 on RMS");
        await Marketplace.WaitAsync(async () => await FrStockAsync(m, "TEA-1") == 4, "capped at 4 on Rakuten France", meanwhile: m.NextFileSlot);

        // The merchant edits the quantity in RMS by hand: the reconciliation reads it back and puts the platform's figure back.
        var entry = (await RmsStockAsync(m)).Single()!;
        (await m.Hosts.Sandbox.PutAsJsonAsync($"/control/rms/shops/{Marketplace.RmsShop}/inventory", new
        {
            manageNumber = entry["manageNumber"]!.GetValue<string>(), variantId = entry["variantId"]!.GetValue<string>(), quantity = 99,
        })).EnsureSuccessStatusCode();
        var job = await JobPolling.RunAsync(m.Hosts.Platform, $"/channels/rakuten-jp/connections/{m.Rms}/reconcile-stock");

        job["state"]!.GetValue<string>().Should().Be("Succeeded");
        job["done"]!.GetValue<int>().Should().Be(job["total"]!.GetValue<int>()).And.BeGreaterThan(0);
        job["report"]!.GetValue<string>().Should().Contain("1 differed from what the platform pushed");
        await Marketplace.WaitAsync(async () => await RmsQuantityAsync(m) == 3, "the quantity repaired on RMS");
    }

    [Fact]
    public async Task A_stock_change_arriving_while_a_Rakuten_France_file_uploads_goes_out_in_the_next_file()
    {
        await using var m = await Marketplace.StartAsync([("Teapot", "TEA-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenFr"), "Published", 1), "the teapot on Rakuten France",
            meanwhile: m.NextFileSlot, setup: m);
        await SetShopifyStockAsync(m, "TEA-1", 3);
        await Marketplace.WaitAsync(async () => await FrStockAsync(m, "TEA-1") == 3, "3 on Rakuten France, nothing left waiting", meanwhile: m.NextFileSlot);

        // The next file takes 6 s to upload; the second change reaches the adapter meanwhile, while the line carrying
        // the first is on its way. Folded into that line, it would be settled with it by the report and never sent.
        (await m.Hosts.Sandbox.PostAsJsonAsync("/control/faults", new
        {
            api = "rakuten-fr", endpoint = "stock_ws.genericimportfile", kind = "Slow", count = 1, delaySeconds = 6,
        })).EnsureSuccessStatusCode();
        m.NextFileSlot();
        await SetShopifyStockAsync(m, "TEA-1", 5);
        await Marketplace.WaitAsync(async () => (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>("/control/faults"))!.Single()!["remaining"]!.GetValue<int>() == 0,
            "the file with 5 to start uploading");
        await SetShopifyStockAsync(m, "TEA-1", 8);

        await Marketplace.WaitAsync(async () => await FrStockAsync(m, "TEA-1") == 5, "the first file's 5 on Rakuten France");
        await Marketplace.WaitAsync(async () => await FrStockAsync(m, "TEA-1") == 8, "8 on Rakuten France with the next file", meanwhile: m.NextFileSlot);
    }

    [Fact]
    public async Task Stock_messages_of_the_v1_contracts_left_in_the_queues_by_an_older_version_are_still_applied()
    {
        await using var m = await Marketplace.StartAsync([("Kettle", "KET-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the kettle on RMS");
        var bus = m.Hosts.Services.GetRequiredService<IBus>();

        // An older Shopify adapter's level (one per message): Inventory applies it and RMS gets the quantity.
        await bus.Publish(new Contracts.Inventory.V1.StockLevelReported(m.Tenant, Guid.Parse(m.Shopify), "KET-1", "gid-item", m.Location, 6, 1_000, DateTimeOffset.UtcNow));
        await Marketplace.WaitAsync(async () => await RmsQuantityAsync(m) == 6, "the v1 level on RMS", setup: m);

        // An older Inventory's channel quantity, newer than any the current one published: the RMS adapter applies it.
        await bus.Publish(new Contracts.Inventory.V1.ChannelStockChanged(m.Tenant, Guid.Parse(m.Rms), Contracts.Channel.RakutenJp, "KET-1", 4, 1_000_000, DateTimeOffset.UtcNow));
        await Marketplace.WaitAsync(async () => await RmsQuantityAsync(m) == 4, "the v1 channel quantity on RMS", setup: m);
    }

    [Fact]
    public async Task A_burst_of_5000_stock_changes_reaches_RMS_as_a_few_bulk_calls_with_the_final_quantities_and_no_429()
    {
        const int skus = 100;
        const int changes = 5000;
        await using var m = await Marketplace.StartAsync(Enumerable.Range(0, skus).Select(i => ($"Cup {i:D3}", (string?)$"CUP-{i:D3}")), limitsOff: true);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", skus), "100 cups on RMS", 120);
        (await m.Hosts.Sandbox.DeleteAsync("/control/calls")).EnsureSuccessStatusCode();

        // 50 changes per SKU, interleaved across SKUs, from 8 senders at once; the last value of CUP-n is n.
        var plan = Enumerable.Range(0, changes).Select(i => (Sku: $"CUP-{i % skus:D3}", Available: i >= changes - skus ? i % skus : 1000 + i)).ToList();
        foreach (var wave in plan.Chunk(skus))
        {
            await Parallel.ForEachAsync(wave, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, _) => await SetShopifyStockAsync(m, c.Sku, c.Available));
        }

        await Marketplace.WaitAsync(async () =>
        {
            var stock = await RmsStockAsync(m);
            return stock.Count == skus && stock.All(s => s!["quantity"]!.GetValue<int>() < skus);
        }, "the final quantities on RMS", 180);
        // RMS answers the last bulk-upsert a moment before the pusher commits that it was pushed: wait for that commit too.
        await Marketplace.WaitAsync(async () =>
            (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/channels/rakuten-jp/connections/{m.Rms}/stock"))!.All(s => !s!["pending"]!.GetValue<bool>()),
            "the last push recorded", 30);

        var finals = (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>($"/channels/rakuten-jp/connections/{m.Rms}/stock"))!;
        finals.Should().OnlyContain(s => !s!["pending"]!.GetValue<bool>() && s["quantity"]!.GetValue<int>() == int.Parse(s["sku"]!.GetValue<string>().Substring(4)));
        var calls = (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>("/control/calls?api=rms"))!
            .Where(c => c!["endpoint"]!.GetValue<string>() == "inventory.bulk-upsert").ToList();
        var accepted = calls.Where(c => c!["status"]!.GetValue<int>() == 204).Sum(c => c!["count"]!.GetValue<int>());
        calls.Should().NotContain(c => c!["status"]!.GetValue<int>() == 429, "the pusher keeps to 1 call per second");
        accepted.Should().BeGreaterThan(0).And.BeLessThan(changes / 50, "bursts are coalesced: the latest quantity per SKU wins");
    }

    [Fact]
    public async Task Duplicated_and_reordered_stock_webhooks_never_regress_a_quantity()
    {
        await using var m = await Marketplace.StartAsync([("Bowl", "BOWL-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the bowl on RMS");
        (await m.Hosts.Sandbox.PutAsJsonAsync("/control/shopify/settings", new { duplicateRate = 1.0, maxDelayMilliseconds = 1500 })).EnsureSuccessStatusCode();

        for (var available = 1; available <= 10; available++)
        {
            await SetShopifyStockAsync(m, "BOWL-1", available);
        }

        await Marketplace.WaitAsync(async () => (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>("/control/shopify/webhook-deliveries"))!
            .Count(d => d!["topic"]?.GetValue<string>() == "inventory_levels/update") >= 20, "twenty stock deliveries");
        await Marketplace.WaitAsync(async () => await RmsQuantityAsync(m) == 10, "10 on RMS", setup: m);
        await Task.Delay(3000);
        (await RmsQuantityAsync(m)).Should().Be(10, "no late or repeated delivery brings an older quantity back");
    }
}
