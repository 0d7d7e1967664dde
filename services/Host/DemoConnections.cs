using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Rakuten.Platform.BuildingBlocks.Hosting;

namespace Rakuten.Platform.Host;

/// <summary>The embedded demo's connections (<c>Demo:SeedConnections</c>): once the Host listens, it opens an RMS
/// shop, a Rakuten France seller and a Shopify store in its own Sandbox and connects them for the demo tenant,
/// through the same ops API a merchant uses. The Sandbox forgets its accounts on restart, so they are opened
/// again each time, with credentials kept in the data folder (random per installation, never in the repository).</summary>
public sealed class DemoConnections(
    IServer server, IHostApplicationLifetime lifetime, IConfiguration configuration, PlatformOptions options, ILogger<DemoConnections> logger)
    : BackgroundService
{
    private sealed record DemoCredentials(string RmsSecret, string RmsKey, string FrToken, string ShopifyToken, string ShopifyWebhookSecret);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Mode != PlatformMode.Embedded || !configuration.GetValue("Demo:SeedConnections", false))
        {
            return;
        }

        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);

        var address = server.Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1");
        var tenant = configuration.GetValue("Demo:TenantId", new Guid("00000000-0000-4000-8000-000000000001"));
        var credentials = await CredentialsAsync();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        await OpenAsync(http, "/control/rms/shops", new { shopId = "123456", serviceSecret = credentials.RmsSecret, licenseKey = credentials.RmsKey }, stoppingToken);
        await OpenAsync(http, "/control/rakuten-fr/sellers", new { login = "demo-boutique", token = credentials.FrToken }, stoppingToken);
        await OpenAsync(http, "/control/shopify/shops", new { shop = "demo-store", accessToken = credentials.ShopifyToken, webhookSecret = credentials.ShopifyWebhookSecret }, stoppingToken);

        await ConnectAsync(http, "rakuten-jp", tenant, "Demo Rakuten Ichiba shop", $"{address}/rms",
            new { serviceSecret = credentials.RmsSecret, licenseKey = credentials.RmsKey, shopUrl = "demo-shop" }, stoppingToken);
        await ConnectAsync(http, "rakuten-fr", tenant, "Demo Rakuten France seller", $"{address}/rakuten-fr",
            new { login = "demo-boutique", token = credentials.FrToken }, stoppingToken);
        await ConnectAsync(http, "shopify", tenant, "Demo Shopify store", $"{address}/shopify/demo-store",
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

    private async Task ConnectAsync(HttpClient http, string channel, Guid tenant, string name, string baseUrl, object credentials, CancellationToken ct)
    {
        var existing = await http.GetFromJsonAsync<JsonArray>($"/channels/{channel}/connections?tenantId={tenant}", ct);
        var live = existing?.FirstOrDefault(c => c?["removedAt"] is null);
        using var response = live is null
            ? await http.PostAsJsonAsync($"/channels/{channel}/connections", new { tenantId = tenant, name, baseUrl, credentials }, ct)
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
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(credentials));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return credentials;
    }
}
