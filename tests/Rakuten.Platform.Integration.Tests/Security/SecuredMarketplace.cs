using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests.Security;

/// <summary>A merchant (tenant A) with everything an attacker could aim at: three connections, a published product, an
/// order imported and sent to Shopify, an API key and a carrier override — on RabbitMQ, PostgreSQL and the Sandbox.</summary>
public sealed class SecuredMarketplace : IAsyncLifetime
{
    public Marketplace Market { get; private set; } = null!;

    public ChannelHosts Hosts => Market.Hosts;

    public TenantResources A { get; private set; } = null!;

    public string ApiKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Market = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        var m = Market;
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", 5);
        await PlaceAsync(m, RmsOrder(await ManageNumberAsync(m), "MUG-1"));
        await PollAsync(m);
        await Marketplace.WaitAsync(async () => (await OrdersAsync(m)).SingleOrDefault()?["shopifyOrderName"] is not null, "the order exported to Shopify", setup: m);
        var created = await (await Hosts.Platform.PostAsJsonAsync("/identity/api-keys", new { name = "erp", roles = new[] { "viewer" } }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
        ApiKey = created!["key"]!.GetValue<string>();
        (await Hosts.Platform.PutAsJsonAsync("/shipping/carriers/Yamato", new { rakutenJpCode = "1001" })).EnsureSuccessStatusCode();
        // A finished job in each service that has them.
        var jobs = new Dictionary<string, string>
        {
            ["catalog"] = await JobAsync($"/catalog/ops/connections/{m.Rms}/resync"),
            ["shopify"] = await JobAsync($"/channels/shopify/connections/{m.Shopify}/import-products"),
            ["rakuten-jp"] = await JobAsync($"/channels/rakuten-jp/connections/{m.Rms}/reconcile-stock"),
            ["rakuten-fr"] = await JobAsync($"/channels/rakuten-fr/connections/{m.Fr}/inventory-offers"),
        };
        A = new TenantResources(m.Tenant,
            new Dictionary<string, string> { ["rakuten-jp"] = m.Rms, ["rakuten-fr"] = m.Fr, ["shopify"] = m.Shopify },
            (await m.ListingsAsync("RakutenJp")).Single()!["productId"]!.GetValue<string>(),
            (await OrdersAsync(m)).Single()!["orderId"]!.GetValue<string>(),
            created["apiKey"]!["id"]!.GetValue<string>(),
            new Dictionary<string, object>
            {
                ["rakuten-jp"] = new { serviceSecret = "sec-cat", licenseKey = "key-cat" },
                ["rakuten-fr"] = new { login = Marketplace.Seller, token = "tok-cat" },
                ["shopify"] = new { shop = Marketplace.Shop, accessToken = "shpat_catalog", webhookSecret = "whsec_catalog" },
            },
            jobs);
    }

    private async Task<string> JobAsync(string path)
    {
        var job = await JobPolling.RunAsync(Hosts.Platform, path);
        return job["state"]!.GetValue<string>() == "Succeeded" ? job["id"]!.GetValue<string>() : throw new InvalidOperationException($"{path}: {job.ToJsonString()}");
    }

    public async Task DisposeAsync() => await Market.DisposeAsync();

    /// <summary>What tenant A holds, as A reads it: connections, products and listings, orders, stock rules, stock, carriers,
    /// API keys and every service's audit log.</summary>
    public async Task<string> SnapshotAsync()
    {
        var reads = new List<string>();
        foreach (var path in new[]
                 {
                     "/channels/rakuten-jp/connections", "/channels/rakuten-fr/connections", "/channels/shopify/connections",
                     "/catalog/products", "/catalog/listings", "/catalog/sku-conflicts", "/orders", $"/orders/{A.OrderId}", "/orders/holds",
                     $"/inventory/connections/{A.Connections["rakuten-jp"]}/rules", "/inventory/stock", "/shipping/carriers",
                     $"/shipping/orders/{A.OrderId}/shipments", "/identity/api-keys",
                     "/orders/audit", "/catalog/audit", "/inventory/audit", "/shipping/audit", "/identity/audit",
                     "/channels/rakuten-jp/audit", "/channels/rakuten-fr/audit", "/channels/shopify/audit",
                     "/catalog/jobs", "/channels/shopify/jobs", "/channels/rakuten-jp/jobs",
                 })
        {
            reads.Add($"{path}: {await Hosts.Platform.GetStringAsync(path)}");
        }

        return string.Join('\n', reads);
    }

    /// <summary>Waits until two snapshots a second apart are the same: the flows set off by the set-up have settled.</summary>
    public async Task<string> SettledSnapshotAsync()
    {
        var previous = await SnapshotAsync();
        for (var i = 0; i < 30; i++)
        {
            await Task.Delay(1000);
            var current = await SnapshotAsync();
            if (current == previous)
            {
                return current;
            }

            previous = current;
        }

        throw new TimeoutException("tenant A's state did not settle");
    }
}
