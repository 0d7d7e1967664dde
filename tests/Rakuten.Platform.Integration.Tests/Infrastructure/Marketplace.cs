using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Infrastructure;

/// <summary>A merchant with a Shopify store, an RMS shop and a Rakuten France seller in the Sandbox, connected to
/// the channel services, the catalog and inventory (ChannelHosts with the catalog), Shopify webhooks registered.</summary>
public sealed class Marketplace(ChannelHosts Hosts, Guid Tenant, string Shopify, string Rms, string Fr, Dictionary<string, string> ProductIds, string Location) : IAsyncDisposable
{
    public const string Shop = "demo-store";
    public const string RmsShop = "445566";
    public const string Seller = "maboutique";
    public const decimal EurPerYen = 0.0062m;

    public ChannelHosts Hosts { get; } = Hosts;

    public Guid Tenant { get; } = Tenant;

    public string Shopify { get; } = Shopify;

    public string Rms { get; } = Rms;

    public string Fr { get; } = Fr;

    public Dictionary<string, string> ProductIds { get; } = ProductIds;

    public string Location { get; } = Location;

    public ValueTask DisposeAsync() => Hosts.DisposeAsync();

    /// <summary>What each service holds, for a test that timed out.</summary>
    public async Task<string> DescribeAsync() =>
        $"listings: {(await ListingsAsync()).ToJsonString()}; inventory: {await Hosts.Platform.GetStringAsync($"/inventory/stock")}; " +
        $"rules: {await Hosts.Platform.GetStringAsync($"/inventory/connections/{Rms}/rules")}; " +
        $"RMS pushes: {await Hosts.Platform.GetStringAsync($"/channels/rakuten-jp/connections/{Rms}/stock")}; " +
        $"catalog products: {await Hosts.Platform.GetStringAsync($"/catalog/products")}; " +
        $"orders by status: {string.Join(", ", (await Hosts.Platform.GetFromJsonAsync<JsonArray>($"/orders"))!.GroupBy(o => $"{o!["status"]}{(o["shopifyOrderName"] is null ? "" : "+shopify")}").Select(g => $"{g.Key} {g.Count()}"))}; " +
        $"Shopify orders: {(await Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Shop}/orders"))!.Count}; " +
        $"Shopify export errors: {await ExportErrorsAsync()}; " +
        $"warnings: {string.Join(" | ", Hosts.Logs.Lines.Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("Exception")).Select(l => l[..Math.Min(400, l.Length)]).Distinct().Take(8))}";

    private async Task<string> ExportErrorsAsync()
    {
        await using var scope = Hosts.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Rakuten.Platform.Channels.Shopify.ShopifyDbContext>();
        return string.Join(" | ", (await db.OrderExports.AsNoTracking().Where(e => e.Error != null).Select(e => e.State + " " + e.Error).ToListAsync()).Distinct().Take(5));
    }

    public async Task<JsonArray> ListingsAsync(string? channel = null) =>
        new((await Hosts.Platform.GetFromJsonAsync<JsonArray>($"/catalog/listings"))!
            .Where(l => channel is null || l!["channel"]!.GetValue<string>() == channel).Select(l => l!.DeepClone()).ToArray());

    public async Task<JsonArray> RmsItemsAsync() => (await Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rms/shops/{RmsShop}/items"))!;

    public async Task<JsonArray> FrOffersAsync() => (await Hosts.Sandbox.GetFromJsonAsync<JsonArray>($"/control/rakuten-fr/sellers/{Seller}/offers"))!;

    /// <summary>Rakuten France takes a stock file every 6 minutes: the test moves the platform's clock past the spacing.</summary>
    public void NextFileSlot() => Hosts.Clock.Now = Hosts.Clock.Now.AddMinutes(7);

    /// <summary>Edits the product first created with <paramref name="title"/>.</summary>
    public async Task UpdateProductAsync(string title, object spec)
    {
        var id = ProductIds[title];
        await Task.Delay(1100); // Shopify's updated_at has whole seconds: a later edit must be seen as later
        (await Hosts.Sandbox.PutAsJsonAsync($"/control/shopify/shops/{Shop}/products/{id}", spec)).EnsureSuccessStatusCode();
    }

    /// <summary>An item the merchant already sells in RMS (Items API 2.0 shape): one variant per SKU, priced ¥999.</summary>
    public static JsonObject RmsItem(string title, params string?[] skus) => new()
    {
        ["title"] = title, ["itemType"] = "NORMAL", ["genreId"] = "100371", ["hideItem"] = false,
        ["variants"] = new JsonObject(skus.Select((sku, i) => KeyValuePair.Create($"sku{i}", (JsonNode?)new JsonObject
        {
            ["merchantDefinedSkuId"] = sku, ["standardPrice"] = "999",
        }))),
    };

    public static object Product(string title, string? sku, decimal price = 1200m, decimal? compareAt = null) => new
    {
        title, vendor = "Acme", options = new[] { new { name = "Size", values = new[] { "M" } } },
        variants = new[] { new { sku, price, compareAtPrice = compareAt, optionValues = new[] { "M" } } },
    };

    public static async Task<Marketplace> StartAsync(IEnumerable<(string Title, string? Sku)> products, IEnumerable<string>? offers = null, bool limitsOff = false,
        string? plan = null, IDictionary<string, string?>? settings = null, Func<HttpClient, Task>? beforeConnect = null, string? currency = null,
        Func<HttpClient, string, Task>? rmsConnected = null)
    {
        var hosts = await ChannelHosts.StartAsync(withCatalog: true, new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Platform:RakutenFr:FileCheckInterval"] = "00:00:00.200",
            ["Platform:RakutenFr:EurPer:JPY"] = EurPerYen.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Platform:RakutenJp:ItemsApiPerSecond"] = limitsOff ? "0" : "5",
            ["Platform:Shopify:ReconcileInterval"] = "00:00:00",
        });
        var (location, ids) = await SeedAsync(hosts.Sandbox, products, offers, limitsOff, plan, currency);
        if (beforeConnect is not null)
        {
            await beforeConnect(hosts.Sandbox);
        }

        var rms = await ConnectAsync(hosts.Platform, "rakuten-jp", hosts.SandboxUrl);
        if (rmsConnected is not null)
        {
            // What the merchant does with the RMS connection before the Shopify store brings its products.
            await rmsConnected(hosts.Platform, rms);
        }

        var fr = await ConnectAsync(hosts.Platform, "rakuten-fr", hosts.SandboxUrl);
        var shopify = await ConnectAsync(hosts.Platform, "shopify", hosts.SandboxUrl);
        await WebhooksRegisteredAsync(hosts.Platform, hosts.Sandbox, shopify);
        return new Marketplace(hosts, hosts.Tenant, shopify, rms, fr, ids, location);
    }

    /// <summary>The merchant's Shopify store with its products, RMS shop and Rakuten France seller (with an offer per SKU) in the Sandbox.</summary>
    public static async Task<(string Location, Dictionary<string, string> ProductIds)> SeedAsync(HttpClient sandbox, IEnumerable<(string Title, string? Sku)> products,
        IEnumerable<string>? offers = null, bool limitsOff = false, string? plan = null, string? currency = null)
    {
        var store = await (await sandbox.PostAsJsonAsync("/control/shopify/shops", new { shop = Shop, accessToken = "shpat_catalog", webhookSecret = "whsec_catalog", plan, currency }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
        var location = store!["locationId"]!.GetValue<string>().Split('/').Last();
        (await sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = RmsShop, url = "cat-shop", serviceSecret = "sec-cat", licenseKey = "key-cat", licenseExpiresAt = DateTimeOffset.UtcNow.AddDays(80) })).EnsureSuccessStatusCode();
        (await sandbox.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 0, itemsApiPerSecond = limitsOff ? 0 : 5 })).EnsureSuccessStatusCode();
        (await sandbox.PostAsJsonAsync("/control/rakuten-fr/sellers", new { login = Seller, token = "tok-cat" })).EnsureSuccessStatusCode();
        var list = products.ToList();
        var ids = new Dictionary<string, string>();
        foreach (var (title, sku) in list)
        {
            var created = await (await sandbox.PostAsJsonAsync($"/control/shopify/shops/{Shop}/products", Product(title, sku)))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
            ids[title] = created!["id"]!.ToString().Split('/').Last();
        }

        foreach (var sku in offers ?? list.Select(p => p.Sku).OfType<string>().Distinct())
        {
            (await sandbox.PostAsJsonAsync($"/control/rakuten-fr/sellers/{Seller}/offers", new { sku, headline = sku, price = 9.99m, stock = 3 })).EnsureSuccessStatusCode();
        }

        return (location, ids);
    }

    /// <summary>Connects the seeded shop of <paramref name="channel"/> (rakuten-jp, rakuten-fr, shopify) through <paramref name="platform"/>; returns its id.</summary>
    public static async Task<string> ConnectAsync(HttpClient platform, string channel, string sandboxUrl)
    {
        var (baseUrl, credentials) = channel switch
        {
            "rakuten-jp" => (sandboxUrl + "/rms", (object)new { serviceSecret = "sec-cat", licenseKey = "key-cat", shopUrl = "cat-shop" }),
            "rakuten-fr" => (sandboxUrl + "/rakuten-fr", new { login = Seller, token = "tok-cat" }),
            _ => (sandboxUrl + "/shopify/" + Shop, new { shop = Shop, accessToken = "shpat_catalog", webhookSecret = "whsec_catalog" }),
        };
        return (await (await platform.PostAsJsonAsync($"/channels/{channel}/connections", new { name = channel, baseUrl, credentials }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    /// <summary>Waits until the Shopify adapter has registered its webhook subscriptions in the store by itself (no hand
    /// registration: connecting the store is enough), each pointing at the connection's own address.</summary>
    public static async Task WebhooksRegisteredAsync(HttpClient shopifyApi, HttpClient sandbox, string shopify)
    {
        await WaitAsync(async () => (await shopifyApi.GetFromJsonAsync<JsonArray>($"/channels/shopify/connections/{shopify}/webhooks"))!
            .Count(w => w!["registered"]!.GetValue<bool>()) == 6, "the adapter's six webhook subscriptions");
        var inStore = (await sandbox.GetFromJsonAsync<JsonArray>($"/control/shopify/shops/{Shop}/webhooks"))!;
        if (inStore.Count(w => w!["callbackUrl"]!.GetValue<string>().EndsWith($"/channels/shopify/webhooks/{shopify}", StringComparison.Ordinal)) != 6)
        {
            throw new InvalidOperationException($"The store does not hold the six subscriptions the adapter reports: {inStore.ToJsonString()}");
        }
    }

    public static async Task WaitAsync(Func<Task<bool>> condition, string what, int seconds = 60, Action? meanwhile = null, Marketplace? setup = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
                throw new TimeoutException($"Timed out waiting for {what}" + (setup is null ? "" : $"; {await setup.DescribeAsync()}"));
            meanwhile?.Invoke();
            await Task.Delay(200);
        }
    }

    public static bool All(JsonArray listings, string state, int count) =>
        listings.Count == count && listings.All(l => l!["state"]!.GetValue<string>() == state);

    public static string State(JsonArray listings, string productId) =>
        listings.First(l => l!["productId"]!.GetValue<string>() == productId)!["state"]!.GetValue<string>();

}
