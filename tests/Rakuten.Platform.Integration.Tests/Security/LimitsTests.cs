using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Security;

/// <summary>Abuse limits, errors as Problem Details, and secrets at rest (issue 17, items 7–9).</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task A_caller_over_its_rate_gets_429_with_Retry_After_and_calls_that_spend_marketplace_quota_are_limited_tighter_per_tenant()
    {
        await using var hosts = await ChannelHosts.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Platform:RateLimits:PerCallerPerSecond"] = "5",
            ["Platform:RateLimits:MarketplacePerMinute"] = "2",
        });
        using var other = hosts.ClientFor(Guid.NewGuid(), "viewer");

        var burst = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => hosts.Platform.GetAsync("/channels/shopify/connections")));
        var otherCaller = await other.GetAsync("/channels/shopify/connections");
        var checks = new List<HttpResponseMessage>();
        await Task.Delay(2000); // the caller's bucket refills; the tenant's marketplace quota does not (2 a minute)
        for (var i = 0; i < 3; i++)
        {
            checks.Add(await hosts.Platform.PostAsync($"/channels/shopify/connections/{Guid.NewGuid()}/check", null));
        }

        var limited = burst.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        limited.Should().NotBeEmpty();
        burst.Count(r => r.StatusCode == HttpStatusCode.OK).Should().BeGreaterThanOrEqualTo(5, "the bucket holds two seconds' worth");
        limited[0].Headers.RetryAfter!.Delta.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1));
        (await limited[0].Content.ReadFromJsonAsync<JsonObject>())!["title"]!.GetValue<string>().Should().Be("Too many requests");
        otherCaller.StatusCode.Should().Be(HttpStatusCode.OK, "one caller's burst does not stop another");
        checks.Select(c => c.StatusCode).Should().Equal(HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests);
        checks[2].Headers.RetryAfter!.Delta.Should().BeGreaterThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Malformed_oversized_and_mistyped_requests_get_a_4xx_Problem_Details_naming_the_field_and_change_nothing()
    {
        await using var hosts = await ChannelHosts.StartAsync(withCatalog: true);
        async Task<(int Status, JsonObject Body)> Send(HttpMethod method, string path, string? json, string contentType = "application/json")
        {
            using var request = new HttpRequestMessage(method, path);
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, contentType);
            using var response = await hosts.Platform.SendAsync(request);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", $"{method} {path} answers Problem Details");
            return ((int)response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
        }

        var notJson = await Send(HttpMethod.Post, "/channels/shopify/connections", "{not json");
        var wrongType = await Send(HttpMethod.Post, "/channels/rakuten-jp/connections", """{"name":"x","credentials":{"serviceSecret":["a"],"licenseKey":"b"}}""");
        var missing = await Send(HttpMethod.Post, "/channels/rakuten-fr/connections", """{"name":"x"}""");
        var control = await Send(HttpMethod.Post, "/channels/shopify/connections", """{"name":"x","credentials":{"shop":"demo","accessToken":"shpat_\u0000x","webhookSecret":"w"}}""");
        var tooBig = await Send(HttpMethod.Put, $"/inventory/connections/{Guid.NewGuid()}/rules", $$"""{"locations":["{{new string('l', 70_000)}}"]}""");
        var mediaType = await Send(HttpMethod.Post, "/channels/shopify/connections", "name=x", "application/x-www-form-urlencoded");
        var notAGuid = await Send(HttpMethod.Get, "/orders/not-a-guid", null);
        var badEnum = await Send(HttpMethod.Get, "/orders?status=Lost", null);
        var badLimit = await Send(HttpMethod.Get, "/orders/audit?limit=100000", null);
        var badTenant = await Send(HttpMethod.Get, "/orders?tenantId=nope", null);
        var stored = await hosts.Platform.GetFromJsonAsync<JsonArray>("/channels/shopify/connections");

        notJson.Status.Should().Be(400);
        wrongType.Status.Should().Be(400);
        wrongType.Body["errors"]!["credentials.serviceSecret"].Should().NotBeNull();
        missing.Status.Should().Be(400);
        missing.Body["errors"]!["credentials"].Should().NotBeNull();
        control.Status.Should().Be(400);
        control.Body["errors"]!["credentials.accessToken"]![0]!.GetValue<string>().Should().Contain("control characters");
        tooBig.Status.Should().Be(413);
        mediaType.Status.Should().Be(415);
        notAGuid.Status.Should().Be(404);
        badEnum.Status.Should().Be(400);
        badEnum.Body["errors"]!["status"].Should().NotBeNull();
        badLimit.Status.Should().Be(400);
        badLimit.Body["errors"]!["limit"].Should().NotBeNull();
        badTenant.Status.Should().Be(400);
        new[] { notJson, wrongType, missing, control, tooBig, mediaType, notAGuid, badEnum, badLimit, badTenant }
            .Should().AllSatisfy(r => (r.Body["title"]?.GetValue<string>()).Should().NotBeNullOrEmpty());
        stored.Should().BeEmpty();
    }

    [Fact]
    public async Task In_distributed_mode_the_key_ring_is_encrypted_with_the_operator_s_certificate_and_a_channel_service_without_one_does_not_start()
    {
        var without = async () =>
        {
            await using var hosts = await ChannelHosts.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Platform:DataProtection:CertificatePath"] = "",
            });
        };
        await using var hosts = await ChannelHosts.StartAsync();
        (await hosts.Sandbox.PostAsJsonAsync("/control/shopify/shops", new { shop = "ring-store", accessToken = "shpat_ring", webhookSecret = "whsec_ring" })).EnsureSuccessStatusCode();
        (await hosts.Platform.PostAsJsonAsync("/channels/shopify/connections", new
        {
            name = "Shopify", baseUrl = hosts.SandboxUrl + "/shopify/ring-store", credentials = new { shop = "ring-store", accessToken = "shpat_ring", webhookSecret = "whsec_ring" },
        })).EnsureSuccessStatusCode();
        var ring = hosts.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Platform:DataProtection:KeyRingPath"]!;
        var keys = Directory.GetFiles(ring, "key-*.xml").Select(File.ReadAllText).ToList();

        (await without.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*Platform:DataProtection:CertificatePath*");
        keys.Should().NotBeEmpty();
        keys.Should().AllSatisfy(k => k.Should().Contain("encryptedSecret").And.Contain("EncryptedXmlDecryptor").And.NotContain("<masterKey"),
            "the key is stored encrypted with the certificate, never as plain XML");
    }
}
