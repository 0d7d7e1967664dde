using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.Channels.Shopify;
using Rakuten.Platform.Channels.Shopify.SyncingProducts;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Shopify products into the platform (issue 5, item 1): paged import inside the cost bucket, and
/// webhooks checked, stored, deduplicated and ordered by updated_at.</summary>
public sealed class ProductSyncTests
{
    private const string Secret = "whsec_products";

    private static async Task<(ChannelHosts Hosts, string ConnectionId)> StartAsync(int products)
    {
        var hosts = await ChannelHosts.StartAsync();
        (await hosts.Sandbox.PostAsJsonAsync("/control/shopify/shops", new { shop = "demo-store", accessToken = "shpat_products", webhookSecret = Secret })).EnsureSuccessStatusCode();
        // A small bucket: the import must wait for it to refill rather than fail.
        (await hosts.Sandbox.PutAsJsonAsync("/control/shopify/settings", new { bucketSize = 120, restoreRate = 500 })).EnsureSuccessStatusCode();
        for (var i = 0; i < products; i++)
        {
            (await hosts.Sandbox.PostAsJsonAsync("/control/shopify/shops/demo-store/products", Product($"Product {i}", $"SKU-{i}"))).EnsureSuccessStatusCode();
        }

        var created = await (await hosts.Platform.PostAsJsonAsync("/channels/shopify/connections", new
        {
            name = "Shopify", baseUrl = hosts.SandboxUrl + "/shopify/demo-store",
            credentials = new { shop = "demo-store", accessToken = "shpat_products", webhookSecret = Secret },
        })).Content.ReadFromJsonAsync<JsonObject>();
        return (hosts, created!["id"]!.GetValue<string>());
    }

    private static object Product(string title, string sku) => new
    {
        title, vendor = "Acme", options = new[] { new { name = "Size", values = new[] { "M" } } },
        variants = new[] { new { sku, price = 1200m, compareAtPrice = 1500m, optionValues = new[] { "M" } } },
    };

    private static async Task<List<JsonNode>> SyncedAsync(ChannelHosts hosts)
    {
        await using var scope = hosts.Services.CreateAsyncScope();
        var bodies = await scope.ServiceProvider.GetRequiredService<ShopifyDbContext>().Outbox.AsNoTracking()
            .Where(m => m.MessageType.Contains("product-synced")).OrderBy(m => m.Position).Select(m => m.Body).ToListAsync();
        return bodies.Select(b => JsonNode.Parse(b)!).ToList();
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException(what);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Connecting_a_store_imports_every_product_page_by_page_within_the_cost_bucket()
    {
        var (hosts, _) = await StartAsync(products: 120);
        await using var _ = hosts;

        await WaitAsync(async () => (await SyncedAsync(hosts)).Count >= 120, "120 products imported");
        await Task.Delay(500);
        var synced = await SyncedAsync(hosts);

        synced.Should().HaveCount(120);
        synced.Select(p => p["externalProductId"]!.GetValue<string>()).Should().OnlyHaveUniqueItems();
        var first = synced.First(p => p["product"]!["title"]!.GetValue<string>() == "Product 0")["product"]!;
        var variant = first["variants"]![0]!;
        variant["sku"]!.GetValue<string>().Should().Be("SKU-0");
        variant["price"]!["amount"]!.GetValue<decimal>().Should().Be(1200);
        variant["compareAtPrice"]!["amount"]!.GetValue<decimal>().Should().Be(1500);
        first["brand"]!.GetValue<string>().Should().Be("Acme");
        first["options"]![0]!["name"]!.GetValue<string>().Should().Be("Size");
    }

    [Fact]
    public async Task Webhooks_are_verified_stored_deduplicated_and_older_deliveries_change_nothing()
    {
        var (hosts, connection) = await StartAsync(products: 1);
        await using var _ = hosts;
        await WaitAsync(async () => (await SyncedAsync(hosts)).Count >= 1, "the import");
        var productId = (await SyncedAsync(hosts))[0]["externalProductId"]!.GetValue<string>();
        (await hosts.Sandbox.PutAsJsonAsync("/control/shopify/settings", new { duplicateRate = 1.0 })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PostAsJsonAsync("/control/shopify/shops/demo-store/webhooks", new
        {
            topic = "products/update", callbackUrl = $"{hosts.Platform.BaseAddress}channels/shopify/webhooks/{connection}",
        })).EnsureSuccessStatusCode();

        // The merchant renames the product: Shopify delivers the update twice (same event id).
        await Task.Delay(1100); // Shopify's updated_at has whole seconds
        (await hosts.Sandbox.PutAsJsonAsync($"/control/shopify/shops/demo-store/products/{productId}", Product("Renamed", "SKU-0"))).EnsureSuccessStatusCode();
        await WaitAsync(async () => (await SyncedAsync(hosts)).Any(p => p["product"]!["title"]!.GetValue<string>() == "Renamed"), "the update");
        await WaitAsync(async () => (await hosts.Sandbox.GetFromJsonAsync<JsonArray>("/control/shopify/webhook-deliveries"))!.Count >= 2, "both deliveries");
        await hosts.Services.GetRequiredService<WebhookProcessor>().ProcessPendingAsync(CancellationToken.None);

        // An old delivery arriving late (a retry of an earlier update, still within the freshness window) must not undo the rename.
        var stale = new JsonObject
        {
            ["id"] = long.Parse(productId), ["title"] = "Old title", ["updated_at"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            ["variants"] = new JsonArray(new JsonObject { ["id"] = 1, ["sku"] = "SKU-0", ["price"] = "1.00" }),
        }.ToJsonString();
        var late = await Deliver(hosts, connection, stale, Sign(stale, Secret), "late-event");
        var forged = await Deliver(hosts, connection, stale.Replace("Old title", "Forged"), Sign(stale, Secret), "forged-event");
        await hosts.Services.GetRequiredService<WebhookProcessor>().ProcessPendingAsync(CancellationToken.None);

        var synced = await SyncedAsync(hosts);
        synced.Count(p => p["product"]!["title"]!.GetValue<string>() == "Renamed").Should().Be(1, "the duplicate delivery is recognised by its event id");
        synced.Should().NotContain(p => p["product"]!["title"]!.GetValue<string>() == "Old title");
        late.StatusCode.Should().Be(HttpStatusCode.OK);
        forged.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await using var scope = hosts.Services.CreateAsyncScope();
        var deliveries = await scope.ServiceProvider.GetRequiredService<ShopifyDbContext>().WebhookDeliveries.AsNoTracking().Select(d => d.EventId).ToListAsync();
        deliveries.Should().Contain("late-event").And.NotContain("forged-event", "a bad signature stores nothing");
    }

    [Fact]
    public async Task Deliveries_arriving_together_share_commits_and_each_is_stored_once_before_its_200()
    {
        var (hosts, connection) = await StartAsync(products: 0);
        await using var _ = hosts;

        // 540 deliveries at once, 60 of them sent twice at the same moment (Shopify's duplicates): the receipts go in
        // shared commits, and every 200 must mean "stored", the second of a pair answered as a duplicate.
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        var bodies = Enumerable.Range(0, 300).Select(i => (EventId: $"burst-{i}", Body: $$"""{"inventory_item_id":{{900000 + i}},"location_id":1,"available":{{i}},"updated_at":"{{now}}"}""")).ToList();
        // And, among them, one that is not valid JSON (a raw NUL, which PostgreSQL could not store either): only it is refused.
        const string unstorable = "{\"inventory_item_id\":1,\"note\":\"\u0000\"}";
        var sends = bodies.Concat(bodies.Take(60)).Select(b => Deliver(hosts, connection, b.Body, Sign(b.Body, Secret), b.EventId, "inventory_levels/update")).ToList();
        var refused = Deliver(hosts, connection, unstorable, Sign(unstorable, Secret), "burst-unstorable", "inventory_levels/update");
        sends.AddRange(bodies.Skip(60).Select(b => Deliver(hosts, connection, b.Body, Sign(b.Body, Secret), b.EventId + "-late", "inventory_levels/update")));
        var answers = await Task.WhenAll(sends);

        answers.Should().OnlyContain(a => a.StatusCode == HttpStatusCode.OK);
        (await refused).StatusCode.Should().Be(HttpStatusCode.BadRequest, "a malformed delivery is refused, never acknowledged");
        var duplicates = 0;
        foreach (var answer in answers)
        {
            if ((await answer.Content.ReadAsStringAsync()).Contains("duplicate")) duplicates++;
        }

        duplicates.Should().Be(60, "each event twice is stored once and its other delivery recognised");
        await using var scope = hosts.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ShopifyDbContext>().WebhookDeliveries.AsNoTracking()
            .Where(d => d.EventId.StartsWith("burst-")).Select(d => d.EventId).ToListAsync();
        stored.Should().BeEquivalentTo(bodies.Select(b => b.EventId).Concat(bodies.Skip(60).Select(b => b.EventId + "-late")),
            "every acknowledged delivery is in the table, once");
    }

    [Fact]
    public async Task A_delivery_signed_longer_ago_than_the_freshness_window_is_acknowledged_and_neither_stored_nor_applied()
    {
        var (hosts, connection) = await StartAsync(products: 1);
        await using var _ = hosts;
        await WaitAsync(async () => (await SyncedAsync(hosts)).Count >= 1, "the import");
        var productId = (await SyncedAsync(hosts))[0]["externalProductId"]!.GetValue<string>();

        // A genuine, signed body captured 20 minutes ago and sent again with a new event id and a fresh (unsigned) Triggered-At.
        var old = new JsonObject
        {
            ["id"] = long.Parse(productId), ["title"] = "Replayed", ["updated_at"] = DateTimeOffset.UtcNow.AddMinutes(-20).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            ["variants"] = new JsonArray(new JsonObject { ["id"] = 1, ["sku"] = "SKU-0", ["price"] = "1.00" }),
        }.ToJsonString();
        var answer = await Deliver(hosts, connection, old, Sign(old, Secret), "replayed-event", triggeredAt: DateTimeOffset.UtcNow.AddHours(1));
        await hosts.Services.GetRequiredService<WebhookProcessor>().ProcessPendingAsync(CancellationToken.None);

        answer.StatusCode.Should().Be(HttpStatusCode.OK, "Shopify would count a refusal against the subscription");
        (await answer.Content.ReadAsStringAsync()).Should().Contain("freshness window");
        (await SyncedAsync(hosts)).Should().NotContain(p => p["product"]!["title"]!.GetValue<string>() == "Replayed");
        await using var scope = hosts.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<ShopifyDbContext>().WebhookDeliveries.AsNoTracking().AnyAsync(d => d.EventId == "replayed-event"))
            .Should().BeFalse("a stale delivery is not stored");
    }

    private static string Sign(string body, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private static async Task<HttpResponseMessage> Deliver(ChannelHosts hosts, string connection, string body, string hmac, string eventId, string topic = "products/update",
        DateTimeOffset? triggeredAt = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/channels/shopify/webhooks/{connection}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Shopify-Hmac-Sha256", hmac);
        request.Headers.Add("X-Shopify-Topic", topic);
        request.Headers.Add("X-Shopify-Event-Id", eventId);
        request.Headers.Add("X-Shopify-Triggered-At", (triggeredAt ?? DateTimeOffset.UtcNow).ToString("O"));
        return await hosts.Platform.SendAsync(request);
    }
}
