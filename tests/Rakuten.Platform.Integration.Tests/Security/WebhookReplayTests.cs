using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.Channels.Shopify;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests.Security;

/// <summary>A signed webhook sent again cannot pin a wrong quantity (issue 17, item 6): the order of stock changes is
/// decided from the signed body, never from the unsigned X-Shopify-Triggered-At; a body older than the freshness window is
/// not applied; a bad signature and an unknown connection read the same.</summary>
public sealed class WebhookReplayTests
{
    private const string Secret = "whsec_catalog";

    private static async Task<int?> RmsQuantityAsync(Marketplace m) =>
        (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rms/shops/{Marketplace.RmsShop}/inventory"))!.SingleOrDefault()?["quantity"]!.GetValue<int>();

    private static async Task<int?> InventoryAsync(Marketplace m) =>
        (await m.Hosts.Platform.GetFromJsonAsync<JsonArray>("/inventory/stock?sku=MUG-1"))!.SingleOrDefault()?["locations"]![0]!["available"]!.GetValue<int>();

    private static Task<HttpResponseMessage> DeliverAsync(Marketplace m, string connection, string body, string eventId, DateTimeOffset triggeredAt,
        string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/channels/shopify/webhooks/{connection}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Shopify-Hmac-Sha256", signature ?? Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(body))));
        request.Headers.Add("X-Shopify-Topic", "inventory_levels/update");
        request.Headers.Add("X-Shopify-Event-Id", eventId);
        request.Headers.Add("X-Shopify-Shop-Domain", $"{Marketplace.Shop}.myshopify.com");
        request.Headers.Add("X-Shopify-Triggered-At", triggeredAt.ToString("O"));
        return m.Hosts.ClientFor(null).SendAsync(request);
    }

    [Fact]
    public async Task A_signed_stock_webhook_replayed_with_a_new_event_id_and_a_forged_Triggered_At_changes_no_channel()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", 5);
        await Marketplace.WaitAsync(async () => await RmsQuantityAsync(m) == 5, "5 on RMS", setup: m);
        var level = (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Marketplace.Shop}/inventory"))!.Single()!;
        var item = level["inventoryItemId"]!.GetValue<long>();
        var location = level["locationId"]!.GetValue<long>();
        await Task.Delay(1100); // Shopify's updated_at has whole seconds
        await SetShopifyStockAsync(m, "MUG-1", 7);
        await Marketplace.WaitAsync(async () => await RmsQuantityAsync(m) == 7, "7 on RMS", setup: m);
        DateTimeOffset latest;
        await using (var scope = m.Hosts.Services.CreateAsyncScope())
        {
            latest = (await scope.ServiceProvider.GetRequiredService<ShopifyDbContext>().StockLevels.AsNoTracking().SingleAsync()).UpdatedAt;
        }

        string Body(int available, DateTimeOffset updatedAt) =>
            $$"""{"inventory_item_id":{{item}},"location_id":{{location}},"available":{{available}},"updated_at":"{{updatedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}""";

        // The body Shopify signed when the stock was 5, sent again: a new event id, and a Triggered-At an hour ahead.
        var replay = await DeliverAsync(m, m.Shopify, Body(5, latest.AddSeconds(-1)), "replay-1", DateTimeOffset.UtcNow.AddHours(1));
        // A body of the same second as the last change, with another quantity: which came last is Shopify's to say.
        var sameSecond = await DeliverAsync(m, m.Shopify, Body(1, latest), "replay-2", DateTimeOffset.UtcNow.AddHours(2));
        var badSignature = await DeliverAsync(m, m.Shopify, Body(3, DateTimeOffset.UtcNow), "forged", DateTimeOffset.UtcNow, signature: "AAAA");
        var unknown = await DeliverAsync(m, Guid.NewGuid().ToString(), Body(3, DateTimeOffset.UtcNow), "unknown", DateTimeOffset.UtcNow);
        await m.Hosts.Services.GetRequiredService<Channels.Shopify.SyncingProducts.WebhookProcessor>().ProcessPendingAsync(CancellationToken.None);
        await Task.Delay(3000); // time for anything wrongly accepted to travel to the channels

        var afterReplay = (Rms: await RmsQuantityAsync(m), Inventory: await InventoryAsync(m), Fr: await FrQuantityAsync(m, "MUG-1"));
        await Task.Delay(1100);
        await SetShopifyStockAsync(m, "MUG-1", 9);
        await Marketplace.WaitAsync(async () => await RmsQuantityAsync(m) == 9, "the next real change, 9, on RMS", setup: m);

        replay.StatusCode.Should().Be(HttpStatusCode.OK, "the signature is genuine; the body is older than what is known");
        sameSecond.StatusCode.Should().Be(HttpStatusCode.OK);
        afterReplay.Should().Be((7, 7, 7), "no channel took the replayed quantities");
        badSignature.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        unknown.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await unknown.Content.ReadAsStringAsync()).Replace(unknown.RequestMessage!.RequestUri!.AbsolutePath, "")
            .Should().StartWith((await badSignature.Content.ReadAsStringAsync()).Replace(badSignature.RequestMessage!.RequestUri!.AbsolutePath, "")[..60],
                "an unknown connection and a bad signature read the same");
        (await InventoryAsync(m)).Should().Be(9, "a later real change is not dropped as stale");
    }

    [Fact]
    public async Task A_signed_delivery_the_platform_cannot_read_is_marked_failed_and_holds_up_no_other_delivery()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", 5);
        await Marketplace.WaitAsync(async () => await InventoryAsync(m) == 5, "5 in inventory", setup: m);
        var level = (await m.Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Marketplace.Shop}/inventory"))!.Single()!;
        await Task.Delay(1100); // the good delivery below is a second later than the 5
        var now = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
        // A merchant (or anyone holding the webhook secret) can sign anything: bodies that are not what the topic says.
        var bad = new[]
        {
            ("not-json", "inventory_levels/update", "not json"),
            ("array", "inventory_levels/update", "[]"),
            ("array-product", "products/update", "[1,2]"),
            ("huge-price", "products/update", $$"""{"id":1,"title":"x","updated_at":"{{now}}","variants":[{"id":2,"price":"1{{new string('0', 40)}}"}]}"""),
            ("nul-sku", "products/update", $$"""{"id":3,"title":"x","updated_at":"{{now}}","variants":[{"id":4,"sku":"\u0000","price":"1.00","inventory_item_id":9}]}"""),
        };
        foreach (var (id, topic, body) in bad)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/channels/shopify/webhooks/{m.Shopify}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Shopify-Hmac-Sha256", Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(body))));
            request.Headers.Add("X-Shopify-Topic", topic);
            request.Headers.Add("X-Shopify-Event-Id", id);
            (await m.Hosts.ClientFor(null).SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK, id);
        }

        var good = await DeliverAsync(m, m.Shopify,
            $$"""{"inventory_item_id":{{level["inventoryItemId"]}},"location_id":{{level["locationId"]}},"available":6,"updated_at":"{{now}}"}""", "good", DateTimeOffset.UtcNow);
        await m.Hosts.Services.GetRequiredService<Channels.Shopify.SyncingProducts.WebhookProcessor>().ProcessPendingAsync(CancellationToken.None);

        good.StatusCode.Should().Be(HttpStatusCode.OK);
        await using var scope = m.Hosts.Services.CreateAsyncScope();
        var deliveries = await scope.ServiceProvider.GetRequiredService<ShopifyDbContext>().WebhookDeliveries.AsNoTracking().ToListAsync();
        deliveries.Should().OnlyContain(d => d.ProcessedAt != null, "nothing is left waiting behind an unreadable delivery");
        deliveries.Where(d => bad.Select(b => b.Item1).Contains(d.EventId)).Should().OnlyContain(d => d.Error != null);
        deliveries.Single(d => d.EventId == "good").Error.Should().BeNull();
        await Marketplace.WaitAsync(async () => await InventoryAsync(m) == 6, "the good delivery's level in inventory", setup: m);
    }

    [Fact]
    public async Task Oversized_bodies_and_headers_are_refused_before_the_signature_is_checked()
    {
        await using var m = await Marketplace.StartAsync([]);
        var huge = new string('x', (int)Channels.Shopify.SyncingProducts.ProductWebhooks.MaxBodyBytes + 1);

        var body = await DeliverAsync(m, m.Shopify, huge, "huge", DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/channels/shopify/webhooks/{m.Shopify}") { Content = new StringContent("{}") };
        request.Headers.Add("X-Shopify-Topic", new string('t', 300));
        var header = await m.Hosts.ClientFor(null).SendAsync(request);

        body.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        header.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await header.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["X-Shopify-Topic"].Should().NotBeNull();
    }
}
