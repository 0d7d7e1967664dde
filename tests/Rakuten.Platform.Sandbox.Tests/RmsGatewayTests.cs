using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;

namespace Rakuten.Platform.Sandbox.Tests;

public sealed class RmsGatewayTests
{
    [Fact]
    public async Task The_ESA_header_is_base64_of_secret_colon_key_as_in_the_official_example()
    {
        SandboxHost.Esa("aaa", "bbb").Should().Be("ESA YWFhOmJiYg==");
        await using var sandbox = await SandboxHost.StartAsync();

        var good = await sandbox.OrderApiAsync("confirmOrder", new { orderNumberList = new[] { "123456-20260101-0000000001" } });
        var wrongSecret = await sandbox.OrderApiAsync("confirmOrder", new { orderNumberList = new[] { "123456-20260101-0000000001" } }, SandboxHost.Esa("other", SandboxHost.LicenseKey));
        var unknownKey = await sandbox.RmsAsync(HttpMethod.Post, "/es/2.0/inventories/bulk-get", new { inventories = new[] { new { manageNumber = "a", variantId = "b" } } }, SandboxHost.Esa(key: "nope"));

        good.Status.Should().Be(200);
        wrongSecret.Status.Should().Be(401);
        wrongSecret.Body!["Results"]!["errorCode"]!.GetValue<string>().Should().Be("ES04-01");
        unknownKey.Status.Should().Be(401);
        unknownKey.Body!["errors"]![0]!["code"]!.GetValue<string>().Should().Be("CE0001");
    }

    [Fact]
    public async Task An_expired_key_gets_401_while_a_renewed_key_works_and_the_old_one_lasts_until_its_own_expiry()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var expiry = DateTimeOffset.UtcNow.AddDays(10);
        (await sandbox.Client.PostAsJsonAsync("/control/rms/shops", new { shopId = "654321", serviceSecret = "s2", licenseKey = "old-key", licenseExpiresAt = expiry })).EnsureSuccessStatusCode();
        (await sandbox.Client.PostAsJsonAsync("/control/rms/shops/654321/license-keys", new { licenseKey = "new-key", licenseExpiresAt = expiry.AddDays(90) })).EnsureSuccessStatusCode();
        var body = new { orderNumberList = new[] { "654321-20260101-0000000001" } };

        var oldBefore = await sandbox.OrderApiAsync("confirmOrder", body, SandboxHost.Esa("s2", "old-key"));
        var expiryOfOld = await sandbox.RmsAsync(HttpMethod.Get, "/es/1.0/license-management/license-key/expiry-date?licenseKey=old-key", authorization: SandboxHost.Esa("s2", "new-key"));
        (await sandbox.Client.PostAsJsonAsync("/control/clock/advance", new { seconds = TimeSpan.FromDays(11).TotalSeconds })).EnsureSuccessStatusCode();
        var oldAfter = await sandbox.OrderApiAsync("confirmOrder", body, SandboxHost.Esa("s2", "old-key"));
        var newAfter = await sandbox.OrderApiAsync("confirmOrder", body, SandboxHost.Esa("s2", "new-key"));

        oldBefore.Status.Should().Be(200);
        expiryOfOld.Body!["expiryDate"]!.GetValue<string>().Should().Be(expiry.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:ss"));
        oldAfter.Status.Should().Be(401);
        newAfter.Status.Should().Be(200);
    }

    [Fact]
    public async Task The_expiry_endpoint_needs_its_licenseKey_parameter_and_is_GET_only()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var missing = await sandbox.RmsAsync(HttpMethod.Get, "/es/1.0/license-management/license-key/expiry-date");
        var post = await sandbox.RmsAsync(HttpMethod.Post, "/es/1.0/license-management/license-key/expiry-date?licenseKey=x", new { });

        missing.Status.Should().Be(400);
        missing.Body!["errors"]![0]!["code"]!.GetValue<string>().Should().Be("DR0005");
        post.Status.Should().Be(405);
    }

    [Fact]
    public async Task The_order_API_answers_429_with_Retry_After_beyond_its_rate_and_counts_every_call()
    {
        await using var sandbox = await SandboxHost.StartAsync(orderRateLimit: true);
        var body = new { orderNumberList = new[] { "123456-20260101-0000000001" } };

        var first = await sandbox.OrderApiAsync("confirmOrder", body);
        var second = await sandbox.OrderApiAsync("confirmOrder", body);
        var calls = await sandbox.Client.GetFromJsonAsync<JsonArray>("/control/calls?api=rms");

        first.Status.Should().Be(200);
        second.Status.Should().Be(429);
        second.Response.Headers.GetValues("Retry-After").Single().Should().Be("1");
        calls!.Select(c => (c!["endpoint"]!.GetValue<string>(), c["status"]!.GetValue<int>(), c["count"]!.GetValue<int>()))
            .Should().Contain([("order.confirmOrder", 200, 1), ("order.confirmOrder", 429, 1)]);
    }

    [Fact]
    public async Task Injected_faults_answer_by_count_then_the_API_recovers()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        (await sandbox.Client.PostAsJsonAsync("/control/faults", new { api = "rms", endpoint = "order.searchOrder", kind = "Maintenance", count = 2 })).EnsureSuccessStatusCode();
        var now = DateTimeOffset.UtcNow;
        var body = new { dateType = 1, startDatetime = SandboxHost.Jst(now.AddDays(-1)), endDatetime = SandboxHost.Jst(now) };

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await sandbox.OrderApiAsync("searchOrder", body)).Status);
        }

        statuses.Should().Equal(503, 503, 200);
        var bad = await sandbox.Client.PostAsJsonAsync("/control/faults", new { api = "rms", endpoint = "*", kind = "ServerError" });
        ((int)bad.StatusCode).Should().Be(400, "a fault needs a count or a rate");
    }

    [Fact]
    public async Task A_timeout_fault_holds_the_call_and_a_malformed_fault_answers_a_body_that_is_not_JSON()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        (await sandbox.Client.PostAsJsonAsync("/control/faults", new { api = "rms", endpoint = "order.getOrder", kind = "Timeout", count = 1, delaySeconds = 1 })).EnsureSuccessStatusCode();
        (await sandbox.Client.PostAsJsonAsync("/control/faults", new { api = "rms", endpoint = "order.confirmOrder", kind = "Malformed", count = 1 })).EnsureSuccessStatusCode();

        var held = await sandbox.Client.PostAsync("/rms/es/2.0/order/getOrder/", new StringContent("{}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/rms/es/2.0/order/confirmOrder/") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("Authorization", SandboxHost.Esa());
        var malformed = await sandbox.Client.SendAsync(request);
        var text = await malformed.Content.ReadAsStringAsync();

        ((int)held.StatusCode).Should().Be(504);
        ((int)malformed.StatusCode).Should().Be(200);
        FluentActions.Invoking(() => JsonNode.Parse(text)).Should().Throw<System.Text.Json.JsonException>();
    }
}
