using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Rakuten.Platform.Sandbox.Tests;

/// <summary>The Sandbox in-process on a test server, with one RMS shop and helpers to call it as a client would.</summary>
public sealed class SandboxHost : IAsyncDisposable
{
    public const string ShopId = "123456";
    public const string Secret = "sp-secret";
    public const string LicenseKey = "lk-0001";

    private readonly WebApplication _app;

    private SandboxHost(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    /// <param name="stateFile">Where the Sandbox keeps its state across restarts; a shop already in it is not opened again.</param>
    public static async Task<SandboxHost> StartAsync(bool orderRateLimit = false, string? stateFile = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.AddSandbox(stateFile);
        var app = builder.Build();
        app.MapSandbox();
        await app.StartAsync();
        var host = new SandboxHost(app, app.GetTestClient());
        var opened = await host.Client.PostAsJsonAsync("/control/rms/shops", new { shopId = ShopId, serviceSecret = Secret, licenseKey = LicenseKey });
        if (!(stateFile is not null && opened.StatusCode == System.Net.HttpStatusCode.Conflict))
        {
            opened.EnsureSuccessStatusCode();
        }

        if (!orderRateLimit)
        {
            (await host.Client.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 0 })).EnsureSuccessStatusCode();
        }

        return host;
    }

    public static string Esa(string secret = Secret, string key = LicenseKey) =>
        "ESA " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{secret}:{key}"));

    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> RmsAsync(
        HttpMethod method, string path, object? body = null, string? authorization = null)
    {
        using var request = new HttpRequestMessage(method, "/rms" + path);
        request.Headers.TryAddWithoutValidation("Authorization", authorization ?? Esa());
        if (body is not null)
        {
            request.Content = new StringContent(body is string s ? s : System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
        }

        var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> OrderApiAsync(string function, object body, string? authorization = null) =>
        RmsAsync(HttpMethod.Post, $"/es/2.0/order/{function}/", body, authorization);

    public async Task<string> PlaceOrderAsync(object? overrides = null)
    {
        var order = overrides ?? new
        {
            buyer = Person,
            email = "taro@example.jp",
            packages = new[]
            {
                new
                {
                    items = new[] { new { manageNumber = "v_tshirt", variantId = "v_tshirt-m", merchantDefinedSkuId = "TS-M", itemName = "Tシャツ", price = 1200, units = 2, skuInfo = "サイズ:M" } },
                    postagePrice = 500,
                },
            },
        };
        var response = await Client.PostAsJsonAsync($"/control/rms/shops/{ShopId}/orders", order);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["orderNumber"]!.GetValue<string>();
    }

    public static object Person => new
    {
        familyName = "楽天", firstName = "太郎", zipCode = "158-0094", prefecture = "東京都", city = "世田谷区", subAddress = "玉川1-14-1", phone = "03-1234-5678",
    };

    public static string Jst(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:ss") + "+0900";

    /// <summary>Stops the Sandbox as a clean shutdown would (it writes its state file then), and disposes it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
