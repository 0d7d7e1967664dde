using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.Channels.RakutenJp;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>The RMS order poller against the Sandbox and PostgreSQL: each order once, and a 401 pauses the
/// connection until new credentials resume it, with nothing lost or imported twice.</summary>
public sealed class OrderImportTests
{
    private static object Order(string sku) => new
    {
        buyer = new { familyName = "楽天", firstName = "花子", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1", phone = "03-1234-5678" },
        packages = new[] { new { items = new[] { new { manageNumber = "v_mug", variantId = "v_mug-w", merchantDefinedSkuId = sku, itemName = "マグ", price = 1500, units = 2, skuInfo = "カラー:白" } }, postagePrice = 500 } },
        coupons = new[] { new { code = "C10", name = "10%OFF", price = 150 } },
        usedPoint = 100,
        express = true,
    };

    private static async Task<List<JsonNode>> ReceivedAsync(ChannelHosts hosts)
    {
        await using var scope = hosts.Services.CreateAsyncScope();
        var bodies = await scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>().Outbox.AsNoTracking()
            .Where(m => m.MessageType.Contains("channel-order-received")).OrderBy(m => m.Position).Select(m => m.Body).ToListAsync();
        return bodies.Select(b => JsonNode.Parse(b)!).ToList();
    }

    [Fact]
    public async Task Orders_are_received_once_and_a_401_pause_loses_and_repeats_nothing_once_new_credentials_resume_it()
    {
        await using var hosts = await ChannelHosts.StartAsync();
        var expiry = DateTimeOffset.UtcNow.AddDays(3);
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "112233", url = "poll-shop", serviceSecret = "sec-poll", licenseKey = "key-poll-1", licenseExpiresAt = expiry })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 0 })).EnsureSuccessStatusCode();
        var connection = (await (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", new
        {
            name = "JP", baseUrl = hosts.SandboxUrl + "/rms",
            credentials = new { serviceSecret = "sec-poll", licenseKey = "key-poll-1", shopUrl = "poll-shop" },
        })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var poller = hosts.Services.GetRequiredService<RmsOrderPoller>();

        for (var i = 0; i < 3; i++)
        {
            (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops/112233/orders", Order($"MUG-{i}"))).EnsureSuccessStatusCode();
        }

        hosts.Clock.Now = DateTimeOffset.UtcNow;
        await poller.PollAllAsync(CancellationToken.None);
        await poller.PollAllAsync(CancellationToken.None);
        var first = await ReceivedAsync(hosts);

        // The key expires at RMS: the poller meets a 401 and pauses the connection; orders keep coming meanwhile.
        (await hosts.Sandbox.PostAsJsonAsync("/control/clock/advance", new { seconds = TimeSpan.FromDays(4).TotalSeconds })).EnsureSuccessStatusCode();
        for (var i = 3; i < 5; i++)
        {
            (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops/112233/orders", Order($"MUG-{i}"))).EnsureSuccessStatusCode();
        }

        hosts.Clock.Now = DateTimeOffset.UtcNow.AddDays(4);

        await poller.PollAllAsync(CancellationToken.None);
        var paused = await hosts.Platform.GetFromJsonAsync<JsonObject>($"/channels/rakuten-jp/connections/{connection}");
        await poller.PollAllAsync(CancellationToken.None); // paused: not even tried
        var whilePaused = await ReceivedAsync(hosts);
        var calls = await hosts.Sandbox.GetFromJsonAsync<JsonArray>("/control/calls?api=rms");

        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops/112233/license-keys", new { licenseKey = "key-poll-2" })).EnsureSuccessStatusCode();
        (await hosts.Platform.PutAsJsonAsync($"/channels/rakuten-jp/connections/{connection}/credentials",
            new { credentials = new { serviceSecret = "sec-poll", licenseKey = "key-poll-2", shopUrl = "poll-shop" } })).EnsureSuccessStatusCode();
        hosts.Clock.Now = DateTimeOffset.UtcNow.AddDays(4);
        await poller.PollAllAsync(CancellationToken.None);
        await poller.PollAllAsync(CancellationToken.None);
        var all = await ReceivedAsync(hosts);

        first.Should().HaveCount(3);
        paused!["health"]!.GetValue<string>().Should().Be("Unauthorized");
        whilePaused.Should().HaveCount(3);
        calls!.Where(c => c!["status"]!.GetValue<int>() == 401).Sum(c => c!["count"]!.GetValue<int>()).Should().Be(1, "a paused connection is not hammered");
        all.Should().HaveCount(5);
        all.Select(o => o["channelOrderId"]!.GetValue<string>()).Should().OnlyHaveUniqueItems();
        all.Select(o => o["order"]!["lines"]![0]!["sku"]!.GetValue<string>()).Should().BeEquivalentTo(["MUG-0", "MUG-1", "MUG-2", "MUG-3", "MUG-4"]);
    }

    [Fact]
    public async Task An_RMS_order_maps_to_the_platform_order_with_its_lines_money_and_flags()
    {
        await using var hosts = await ChannelHosts.StartAsync();
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "445566", url = "map-shop", serviceSecret = "sec-map", licenseKey = "key-map" })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 0 })).EnsureSuccessStatusCode();
        (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", new
        {
            name = "JP", baseUrl = hosts.SandboxUrl + "/rms",
            credentials = new { serviceSecret = "sec-map", licenseKey = "key-map", shopUrl = "map-shop" },
        })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops/445566/orders", Order("MUG-W"))).EnsureSuccessStatusCode();

        hosts.Clock.Now = DateTimeOffset.UtcNow;
        await hosts.Services.GetRequiredService<RmsOrderPoller>().PollAllAsync(CancellationToken.None);
        var received = (await ReceivedAsync(hosts)).Single();
        var order = received["order"]!;

        received["channel"]!.GetValue<string>().Should().Be("RakutenJp");
        received["channelStatus"]!.GetValue<string>().Should().Be("100");
        order["buyer"]!["name"]!.GetValue<string>().Should().Be("楽天 花子");
        order["shipTo"]!["postalCode"]!.GetValue<string>().Should().Be("158-0094");
        var line = order["lines"]![0]!;
        (line["manageNumber"]!.GetValue<string>(), line["variantId"]!.GetValue<string>(), line["quantity"]!.GetValue<int>()).Should().Be(("v_mug", "v_mug-w", 2));
        line["unitPrice"]!["amount"]!.GetValue<decimal>().Should().Be(1500);
        line["unitPrice"]!["currency"]!.GetValue<string>().Should().Be("JPY");
        line["options"]![0]!["value"]!.GetValue<string>().Should().Be("白");
        order["shippingFee"]!["amount"]!.GetValue<decimal>().Should().Be(500);
        order["coupons"]![0]!["amount"]!["amount"]!.GetValue<decimal>().Should().Be(150);
        order["pointsUsed"]!["amount"]!.GetValue<decimal>().Should().Be(100);
        order["total"]!["amount"]!.GetValue<decimal>().Should().Be(3000 + 500 - 150 - 100);
        order["express"]!.GetValue<bool>().Should().BeTrue();
    }
}
