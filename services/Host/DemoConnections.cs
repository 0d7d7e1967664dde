using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.Host;

/// <summary>The embedded demo's connections (<c>Demo:SeedConnections</c>): once the Host listens, it opens an RMS
/// shop, a Rakuten France seller and a Shopify store in its own Sandbox and connects them for the demo tenant,
/// through the same API a merchant's admin uses (with a short-lived token of the demo's own key). The Sandbox keeps its
/// accounts in the data folder (<c>sandbox-state.json</c>); they are opened again each time all the same (409 when they
/// exist) for a data folder without it, with credentials kept in the data folder: random per
/// installation, never in the repository, owner-only, and for the demo only — they open the Sandbox's imitation accounts,
/// never a real marketplace's.</summary>
public sealed class DemoConnections(DemoAccess access, IConfiguration configuration, PlatformOptions options, ILogger<DemoConnections> logger)
    : BackgroundService
{
    private sealed record DemoCredentials(string RmsSecret, string RmsKey, string FrToken, string ShopifyToken, string ShopifyWebhookSecret);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Mode != PlatformMode.Embedded || !configuration.GetValue("Demo:SeedConnections", false))
        {
            return;
        }

        var address = await access.AddressAsync(stoppingToken);
        var token = access.Token(access.Tenant, [PlatformRoles.Admin], "demo-seeder", TimeSpan.FromMinutes(10));
        if (token is null)
        {
            logger.LogInformation("Demo connections not seeded: an identity provider is configured, and the demo has no token of its own");
            return;
        }

        var credentials = await CredentialsAsync();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        // The demo connects its shops through the same API, with the same rules, as a merchant's admin would.
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        await OpenAsync(http, "/control/rms/shops", new { shopId = "123456", serviceSecret = credentials.RmsSecret, licenseKey = credentials.RmsKey, url = "demo-shop" }, stoppingToken);
        await OpenAsync(http, "/control/rakuten-fr/sellers", new { login = "demo-boutique", token = credentials.FrToken }, stoppingToken);
        await OpenAsync(http, "/control/shopify/shops", new { shop = "demo-store", accessToken = credentials.ShopifyToken, webhookSecret = credentials.ShopifyWebhookSecret }, stoppingToken);

        await ConnectAsync(http, "rakuten-jp", "Demo Rakuten Ichiba shop", $"{address}/rms",
            new { serviceSecret = credentials.RmsSecret, licenseKey = credentials.RmsKey, shopUrl = "demo-shop" }, stoppingToken);
        await ConnectAsync(http, "rakuten-fr", "Demo Rakuten France seller", $"{address}/rakuten-fr",
            new { login = "demo-boutique", token = credentials.FrToken }, stoppingToken);
        await ConnectAsync(http, "shopify", "Demo Shopify store", $"{address}/shopify/demo-store",
            new { shop = "demo-store", accessToken = credentials.ShopifyToken, webhookSecret = credentials.ShopifyWebhookSecret }, stoppingToken);
    }

    private async Task OpenAsync(HttpClient http, string path, object account, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(path, account, ct);
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.Conflict)
        {
            logger.LogWarning("Demo: the Sandbox refused {Path} (HTTP {Status})", path, (int)response.StatusCode);
        }
    }

    private async Task ConnectAsync(HttpClient http, string channel, string name, string baseUrl, object credentials, CancellationToken ct)
    {
        var existing = await http.GetFromJsonAsync<JsonArray>($"/channels/{channel}/connections", ct);
        var live = existing?.FirstOrDefault(c => c?["removedAt"] is null);
        using var response = live is null
            ? await http.PostAsJsonAsync($"/channels/{channel}/connections", new { name, baseUrl, credentials }, ct)
            : await http.PutAsJsonAsync($"/channels/{channel}/connections/{live["id"]}/credentials", new { credentials }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.IsSuccessStatusCode)
        {
            var view = JsonNode.Parse(body)!;
            logger.LogInformation("Demo: {Channel} connection {Name} ({External}) is {Health}", channel, name, view["externalId"], view["health"]);
        }
        else
        {
            logger.LogWarning("Demo: {Channel} connection {Name} refused (HTTP {Status}): {Body}", channel, name, (int)response.StatusCode, body);
        }
    }

    private async Task<DemoCredentials> CredentialsAsync()
    {
        var file = Path.Combine(options.DataDirectory, "demo-credentials.json");
        if (File.Exists(file))
        {
            return JsonSerializer.Deserialize<DemoCredentials>(await File.ReadAllTextAsync(file))!;
        }

        static string Random(string prefix) => prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        var credentials = new DemoCredentials(Random("SP"), Random("SL"), Random("fr"), Random("shpat_"), Random("whsec_"));
        Directory.CreateDirectory(options.DataDirectory);
        await using (var stream = OwnerOnlyFile.CreateNew(file))
        {
            await JsonSerializer.SerializeAsync(stream, credentials);
        }

        return credentials;
    }
}
