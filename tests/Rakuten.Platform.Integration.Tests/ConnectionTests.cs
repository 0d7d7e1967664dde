using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr;
using Rakuten.Platform.Channels.RakutenJp;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Channels.Shopify;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Channel connections against the Sandbox and real PostgreSQL (issue 4).</summary>
public sealed class ConnectionTests
{
    private const string RmsSecret = "SP-rms-secret-0001";
    private const string RmsKey = "SL-rms-license-0001";
    private const string FrToken = "fr-token-0001-secret";
    private const string ShopifyToken = "shpat_0001_secret_token";
    private const string ShopifyWebhookSecret = "whsec_0001_secret";

    private static async Task SeedSandboxAsync(ChannelHosts hosts, DateTimeOffset licenseExpiresAt)
    {
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "123456", url = "demo-shop", serviceSecret = RmsSecret, licenseKey = RmsKey, licenseExpiresAt })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 0 })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PostAsJsonAsync("/control/rakuten-fr/sellers", new { login = "maboutique", token = FrToken })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PostAsJsonAsync("/control/shopify/shops", new { shop = "demo-store", accessToken = ShopifyToken, webhookSecret = ShopifyWebhookSecret })).EnsureSuccessStatusCode();
    }

    private static object Rms(ChannelHosts hosts, string secret = RmsSecret, string key = RmsKey) =>
        new { name = "Rakuten Ichiba", baseUrl = hosts.SandboxUrl + "/rms", credentials = new { serviceSecret = secret, licenseKey = key, shopUrl = "demo-shop" } };

    private static object Fr(ChannelHosts hosts, string login = "maboutique", string token = FrToken) =>
        new { name = "Rakuten France", baseUrl = hosts.SandboxUrl + "/rakuten-fr", credentials = new { login, token } };

    private static object Shopify(ChannelHosts hosts, string token = ShopifyToken) =>
        new { name = "Shopify", baseUrl = hosts.SandboxUrl + "/shopify/demo-store", credentials = new { shop = "demo-store", accessToken = token, webhookSecret = ShopifyWebhookSecret } };

    private static async Task<int> StoredAsync<TContext>(ChannelHosts hosts) where TContext : ChannelDbContext
    {
        await using var scope = hosts.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TContext>().Connections.CountAsync();
    }

    [Fact]
    public async Task Wrong_credentials_of_each_kind_are_refused_with_the_specific_reason_and_nothing_is_stored()
    {
        await using var hosts = await ChannelHosts.StartAsync();
        await SeedSandboxAsync(hosts, DateTimeOffset.UtcNow.AddDays(90));

        var rms = await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", Rms(hosts, key: "SL-wrong"));
        var tooLong = await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", Rms(hosts, secret: new string('s', 51)));
        var email = await hosts.Platform.PostAsJsonAsync("/channels/rakuten-fr/connections", Fr(hosts, login: "owner@example.fr"));
        var frToken = await hosts.Platform.PostAsJsonAsync("/channels/rakuten-fr/connections", Fr(hosts, token: "wrong"));
        var shopify = await hosts.Platform.PostAsJsonAsync("/channels/shopify/connections", Shopify(hosts, token: "shpat_wrong"));

        rms.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await rms.Content.ReadAsStringAsync()).Should().Contain("401").And.Contain("licenseKey");
        tooLong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooLong.Content.ReadAsStringAsync()).Should().Contain("credentials.serviceSecret must be at most 50 characters");
        (await email.Content.ReadFromJsonAsync<JsonObject>())!["fix"]!.GetValue<string>().Should().Contain("account name (pseudo), not your e-mail");
        (await frToken.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>().Should().Contain("InvalidUserConnection");
        (await shopify.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>().Should().Contain("access token");
        (await StoredAsync<RakutenJpDbContext>(hosts)).Should().Be(0);
        (await StoredAsync<RakutenFrDbContext>(hosts)).Should().Be(0);
        (await StoredAsync<ShopifyDbContext>(hosts)).Should().Be(0);
    }

    [Fact]
    public async Task Accepted_connections_are_stored_encrypted_and_no_secret_appears_in_logs_or_responses()
    {
        await using var hosts = await ChannelHosts.StartAsync();
        var expiry = DateTimeOffset.UtcNow.AddDays(90);
        await SeedSandboxAsync(hosts, expiry);
        var responses = new List<string>();

        foreach (var (path, body) in new[] { ("rakuten-jp", Rms(hosts)), ("rakuten-fr", Fr(hosts)), ("shopify", Shopify(hosts)) })
        {
            var created = await hosts.Platform.PostAsJsonAsync($"/channels/{path}/connections", body);
            responses.Add(await created.Content.ReadAsStringAsync());
            created.StatusCode.Should().Be(HttpStatusCode.Created, responses[^1]);
            responses.Add(await hosts.Platform.GetStringAsync($"/channels/{path}/connections"));
        }

        var rms = JsonNode.Parse(responses[0])!;
        rms["health"]!.GetValue<string>().Should().Be("Healthy");
        rms["externalId"]!.GetValue<string>().Should().Be("demo-shop");
        DateTimeOffset.Parse(rms["credentialsExpireAt"]!.GetValue<string>()).Should().BeCloseTo(expiry, TimeSpan.FromSeconds(1));
        JsonNode.Parse(responses[4])!["externalId"]!.GetValue<string>().Should().Be("demo-store.myshopify.com");

        await using var scope = hosts.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>().Connections.SingleAsync();
        var everything = string.Join('\n', responses) + string.Join('\n', hosts.Logs.Lines) + stored.ProtectedCredentials;
        foreach (var secret in new[] { RmsSecret, RmsKey, FrToken, ShopifyToken, ShopifyWebhookSecret })
        {
            everything.Should().NotContain(secret);
        }

        scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<RmsCredentials>(stored.ProtectedCredentials).LicenseKey.Should().Be(RmsKey);
        new RmsCredentials(RmsSecret, RmsKey, "demo-shop").ToString().Should().NotContain(RmsSecret).And.NotContain(RmsKey);
        hosts.Logs.Lines.Should().Contain(l => l.Contains("added for tenant"), "connections are logged — without their credentials");
    }

    [Fact]
    public async Task License_expiry_warnings_fire_at_14_and_7_days_and_expiry_each_once_under_a_controlled_clock()
    {
        await using var hosts = await ChannelHosts.StartAsync();
        var expiry = DateTimeOffset.UtcNow.AddDays(20);
        await SeedSandboxAsync(hosts, expiry);
        var created = await (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", Rms(hosts))).Content.ReadFromJsonAsync<JsonObject>();
        var id = created!["id"]!.GetValue<string>();
        var watch = hosts.Services.GetServices<IHostedService>().OfType<LicenseExpiryWatch>().Single();

        async Task<string> HealthAfterCheckAt(DateTimeOffset now)
        {
            hosts.Clock.Now = now;
            await watch.CheckAllAsync(CancellationToken.None);
            return (await hosts.Platform.GetFromJsonAsync<JsonObject>($"/channels/rakuten-jp/connections/{id}"))!["health"]!.GetValue<string>();
        }

        var day5 = await HealthAfterCheckAt(expiry.AddDays(-15));
        var day6 = await HealthAfterCheckAt(expiry.AddDays(-14).AddHours(1));
        var day7 = await HealthAfterCheckAt(expiry.AddDays(-13));
        var day13 = await HealthAfterCheckAt(expiry.AddDays(-7).AddHours(1));
        var day20 = await HealthAfterCheckAt(expiry.AddHours(1));
        var day21 = await HealthAfterCheckAt(expiry.AddDays(1));

        (day5, day6, day7, day13, day20, day21).Should().Be(("Healthy", "ExpiringSoon", "ExpiringSoon", "ExpiringSoon", "Expired", "Expired"));
        await using var scope = hosts.Services.CreateAsyncScope();
        var announced = await scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>().Outbox.AsNoTracking()
            .Where(m => m.MessageType.Contains("connection-health-changed")).OrderBy(m => m.Position).Select(m => m.Body).ToListAsync();
        announced.Select(b => JsonNode.Parse(b)!["health"]!.GetValue<string>()).Should().Equal("Healthy", "ExpiringSoon", "ExpiringSoon", "Expired");
        JsonNode.Parse(announced[1])!["detail"]!.GetValue<string>().Should().Contain("14 days left");
        JsonNode.Parse(announced[2])!["detail"]!.GetValue<string>().Should().Contain("7 days left");
    }

    [Fact]
    public async Task A_401_marks_the_connection_Unauthorized_and_pauses_it_until_new_credentials_resume_it()
    {
        await using var hosts = await ChannelHosts.StartAsync();
        await SeedSandboxAsync(hosts, DateTimeOffset.UtcNow.AddDays(3));
        var created = await (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", Rms(hosts))).Content.ReadFromJsonAsync<JsonObject>();
        var id = created!["id"]!.GetValue<string>();
        var watch = hosts.Services.GetServices<IHostedService>().OfType<LicenseExpiryWatch>().Single();

        // RMS's own clock passes the key's expiry: every call with it now answers 401.
        (await hosts.Sandbox.PostAsJsonAsync("/control/clock/advance", new { seconds = TimeSpan.FromDays(4).TotalSeconds })).EnsureSuccessStatusCode();
        await watch.CheckAllAsync(CancellationToken.None);
        var paused = await hosts.Platform.GetFromJsonAsync<JsonObject>($"/channels/rakuten-jp/connections/{id}");

        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops/123456/license-keys", new { licenseKey = "SL-rms-license-0002" })).EnsureSuccessStatusCode();
        var wrongShop = await hosts.Platform.PutAsJsonAsync($"/channels/rakuten-jp/connections/{id}/credentials",
            new { credentials = new { serviceSecret = RmsSecret, licenseKey = "SL-rms-license-0002", shopUrl = "other-shop" } });
        var renewed = await hosts.Platform.PutAsJsonAsync($"/channels/rakuten-jp/connections/{id}/credentials",
            new { credentials = new { serviceSecret = RmsSecret, licenseKey = "SL-rms-license-0002", shopUrl = "demo-shop" } });
        var resumed = await renewed.Content.ReadFromJsonAsync<JsonObject>();

        paused!["health"]!.GetValue<string>().Should().Be("Unauthorized");
        paused["flowsPaused"]!.GetValue<bool>().Should().BeTrue();
        wrongShop.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        renewed.StatusCode.Should().Be(HttpStatusCode.OK);
        resumed!["health"]!.GetValue<string>().Should().Be("Healthy");
        resumed["flowsPaused"]!.GetValue<bool>().Should().BeFalse();
        (await hosts.Platform.GetStringAsync($"/channels/rakuten-jp/connections/{id}")).Should().NotContain("SL-rms-license-0002");
    }

    [Fact]
    public async Task Removing_a_connection_stops_it_and_keeps_its_history()
    {
        await using var hosts = await ChannelHosts.StartAsync();
        await SeedSandboxAsync(hosts, DateTimeOffset.UtcNow.AddDays(90));
        var created = await (await hosts.Platform.PostAsJsonAsync("/channels/shopify/connections", Shopify(hosts))).Content.ReadFromJsonAsync<JsonObject>();
        var id = created!["id"]!.GetValue<string>();

        var removed = await hosts.Platform.DeleteAsync($"/channels/shopify/connections/{id}");
        var view = await hosts.Platform.GetFromJsonAsync<JsonObject>($"/channels/shopify/connections/{id}");
        var again = await hosts.Platform.PostAsJsonAsync("/channels/shopify/connections", Shopify(hosts));

        removed.StatusCode.Should().Be(HttpStatusCode.OK);
        view!["health"]!.GetValue<string>().Should().Be("Removed");
        view["removedAt"].Should().NotBeNull();
        view["flowsPaused"]!.GetValue<bool>().Should().BeTrue();
        again.StatusCode.Should().Be(HttpStatusCode.Created, "a removed connection may be connected again");
    }
}

public sealed class ConnectionCheckTests
{
    [Fact]
    public async Task Checking_a_connection_now_tells_a_refusal_from_no_answer_and_recovers_when_the_marketplace_is_back()
    {
        await using var hosts = await ChannelHosts.StartAsync();
        (await hosts.Sandbox.PostAsJsonAsync("/control/rakuten-fr/sellers", new { login = "boutique", token = "tok-check" })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "654321", url = "check-shop", serviceSecret = "sec-check", licenseKey = "key-check",
            licenseExpiresAt = DateTimeOffset.UtcNow.AddDays(2) })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 0 })).EnsureSuccessStatusCode();
        var fr = (await (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-fr/connections", new
        {
            name = "FR", baseUrl = hosts.SandboxUrl + "/rakuten-fr", credentials = new { login = "boutique", token = "tok-check" },
        })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var rms = (await (await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", new
        {
            name = "JP", baseUrl = hosts.SandboxUrl + "/rms", credentials = new { serviceSecret = "sec-check", licenseKey = "key-check", shopUrl = "check-shop" },
        })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        (await hosts.Sandbox.PostAsJsonAsync("/control/faults", new { api = "rakuten-fr", endpoint = "*", kind = "Maintenance", count = 1 })).EnsureSuccessStatusCode();
        var down = await (await hosts.Platform.PostAsync($"/channels/rakuten-fr/connections/{fr}/check", null)).Content.ReadFromJsonAsync<JsonObject>();
        var back = await (await hosts.Platform.PostAsync($"/channels/rakuten-fr/connections/{fr}/check", null)).Content.ReadFromJsonAsync<JsonObject>();
        (await hosts.Sandbox.PostAsJsonAsync("/control/clock/advance", new { seconds = TimeSpan.FromDays(3).TotalSeconds })).EnsureSuccessStatusCode();
        var expired = await (await hosts.Platform.PostAsync($"/channels/rakuten-jp/connections/{rms}/check", null)).Content.ReadFromJsonAsync<JsonObject>();

        down!["health"]!.GetValue<string>().Should().Be("Unreachable");
        down["flowsPaused"]!.GetValue<bool>().Should().BeFalse("no answer is not a refusal: flows keep retrying");
        back!["health"]!.GetValue<string>().Should().Be("Healthy");
        expired!["health"]!.GetValue<string>().Should().Be("Unauthorized");
        expired["flowsPaused"]!.GetValue<bool>().Should().BeTrue();
        expired["healthDetail"]!.GetValue<string>().Should().Contain("401");
    }
}
