using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;

namespace Rakuten.Platform.Integration.Tests;

public sealed class EmbeddedDemoTests
{
    [Fact]
    public async Task The_embedded_Host_connects_its_three_Sandbox_accounts_from_configuration_and_keeps_their_secrets_out_of_its_logs()
    {
        var data = Path.Combine(Path.GetTempPath(), "rakuten-platform-tests", "demo-" + Guid.NewGuid().ToString("N")[..8]);
        await using var host = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Platform:Mode"] = "Embedded",
            ["Platform:DataDirectory"] = data,
            ["Demo:SeedConnections"] = "true",
        }, "services/Host");
        await host.UseDemoTokenAsync(data);

        var connections = new List<JsonNode>();
        await host.WaitUntilAsync(async () =>
        {
            connections.Clear();
            foreach (var channel in new[] { "rakuten-jp", "rakuten-fr", "shopify" })
            {
                connections.AddRange((await host.Http.GetFromJsonAsync<JsonArray>($"/channels/{channel}/connections"))!.Select(c => c!));
            }

            return connections.Count == 3;
        }, TimeSpan.FromSeconds(60), "three demo connections");

        connections.Should().AllSatisfy(c => c["health"]!.GetValue<string>().Should().Be("Healthy"));
        connections.Select(c => c["externalId"]!.GetValue<string>()).Should().BeEquivalentTo(["demo-shop", "demo-boutique", "demo-store.myshopify.com"]);
        var secrets = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(data, "demo-credentials.json")))!.AsObject()
            .Select(p => p.Value!.GetValue<string>()).ToList();
        secrets.Should().HaveCount(5);
        var output = string.Join('\n', host.Output);
        secrets.Should().AllSatisfy(s => output.Should().NotContain(s));

        // The gRPC API on its own port, with the same token, over the SQLite change feed of embedded mode.
        var token = host.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(host.GrpcUrl);
        var metadata = new global::Grpc.Core.Metadata { { "authorization", $"Bearer {token}" } };
        (await new Api.V1.Connections.ConnectionsClient(channel).ListConnectionsAsync(new Api.V1.ListConnectionsRequest(), metadata)).Connections.Should().HaveCount(3);
        var shopify = connections.Single(c => c["channel"]!.GetValue<string>() == "Shopify")["id"]!.GetValue<string>();
        // Nobody registers webhooks by hand: connecting the demo store registered them through the Admin API.
        await host.WaitUntilAsync(async () => (await host.Http.GetFromJsonAsync<JsonArray>($"/channels/shopify/connections/{shopify}/webhooks"))!
            .Count(w => w!["registered"]!.GetValue<bool>()) == 6, TimeSpan.FromSeconds(60), "the demo store's webhook subscriptions");

        (await host.Http.PostAsJsonAsync("/control/shopify/shops/demo-store/products", new
        {
            title = "Mug", vendor = "Acme", variants = new[] { new { sku = "MUG-1", price = 1200 } },
        })).EnsureSuccessStatusCode();
        await host.WaitUntilAsync(async () => (await host.Http.GetStringAsync("/catalog/products")).Contains("Mug"), TimeSpan.FromSeconds(60), "the mug in the catalog");
        var inventory = new Api.V1.Inventory.InventoryClient(channel);
        using var watch = inventory.WatchAvailability(new Api.V1.WatchAvailabilityRequest { Names = { "skus/MUG-1" } }, metadata);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        (await watch.ResponseStream.MoveNext(timeout.Token)).Should().BeTrue();
        var start = watch.ResponseStream.Current.ResumeToken;
        (await host.Http.PutAsJsonAsync("/control/shopify/shops/demo-store/inventory", new { sku = "MUG-1", available = 7 })).EnsureSuccessStatusCode();
        Api.V1.WatchAvailabilityResponse change;
        do
        {
            try
            {
                (await watch.ResponseStream.MoveNext(timeout.Token)).Should().BeTrue();
            }
            catch (global::Grpc.Core.RpcException ex)
            {
                throw new InvalidOperationException($"no change of MUG-1 reached the watch ({ex.StatusCode}):\n{string.Join('\n', host.Output.TakeLast(30))}", ex);
            }

            change = watch.ResponseStream.Current;
        }
        while (change.Availability.Locations.Sum(l => l.Available) != 7);

        // Resumed from before it, the same change comes again from the table.
        using var resumed = inventory.WatchAvailability(new Api.V1.WatchAvailabilityRequest { Names = { "skus/MUG-1" }, ResumeToken = start }, metadata);
        var replayed = new List<int>();
        while (!replayed.Contains(7) && await resumed.ResponseStream.MoveNext(timeout.Token))
        {
            replayed.Add(resumed.ResponseStream.Current.Availability.Locations.Sum(l => l.Available));
        }

        replayed.Should().Contain(7);

        // Restarted, the demo finds its Sandbox as it left it (the state file in the data folder): the store still has the mug
        // and its stock, and the connections still work with the credentials they hold.
        await host.StopAsync();
        // The open watch did not hold the shutdown: it was ended, telling the client to come back with its token.
        var ended = await FluentActions.Awaiting(async () =>
        {
            while (await watch.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }).Should().ThrowAsync<global::Grpc.Core.RpcException>();
        ended.Which.StatusCode.Should().Be(global::Grpc.Core.StatusCode.Unavailable);
        ended.Which.Status.Detail.Should().Contain("resume token");
        File.Exists(Path.Combine(data, "sandbox-state.json")).Should().BeTrue();
        await using var restarted = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Platform:Mode"] = "Embedded",
            ["Platform:DataDirectory"] = data,
            ["Demo:SeedConnections"] = "true",
        }, "services/Host");
        await restarted.UseDemoTokenAsync(data);
        var stock = (await restarted.Http.GetFromJsonAsync<JsonArray>("/control/shopify/shops/demo-store/inventory"))!;
        stock.Sum(l => l!["available"]!.GetValue<int>()).Should().Be(7, "the store kept the mug's stock across the restart");
        (await restarted.Http.GetFromJsonAsync<JsonArray>("/control/shopify/shops/demo-store/webhooks"))!.Should()
            .HaveCount(6, "the store kept the subscriptions the adapter gave it");
        await restarted.WaitUntilAsync(async () => (await restarted.Http.GetStringAsync("/catalog/products")).Contains("Mug"), TimeSpan.FromSeconds(60), "the catalog after the restart");
    }

    [Fact]
    public async Task The_embedded_demo_is_reached_with_its_printed_token_and_its_token_command_while_its_landing_page_shows_no_path_and_its_API_documents_describe_every_operation()
    {
        var data = Path.Combine(Path.GetTempPath(), "rakuten-platform-tests", "token-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new Dictionary<string, string> { ["Platform:Mode"] = "Embedded", ["Platform:DataDirectory"] = data, ["Demo:SeedConnections"] = "false" };
        await using var host = await ServiceProcess.StartAsync(settings, "services/Host");
        await host.UseDemoTokenAsync(data);

        var viewer = await ServiceProcess.RunOnceAsync("services/Host", settings, "token", "--role", "viewer");
        var bad = await ServiceProcess.RunOnceAsync("services/Host", settings, "token", "--role", "superuser");
        var distributed = await ServiceProcess.RunOnceAsync("services/Host", new Dictionary<string, string>
        {
            ["Platform:Mode"] = "Distributed", ["Platform:DataDirectory"] = data,
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1", ["ConnectionStrings:RabbitMq"] = "amqp://127.0.0.1/",
        }, "token");
        using var anonymous = new HttpClient { BaseAddress = host.Http.BaseAddress };
        var landing = await anonymous.GetStringAsync("/");
        var withDemoToken = await host.Http.GetAsync("/orders");
        using var asViewer = new HttpClient { BaseAddress = host.Http.BaseAddress };
        asViewer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", viewer.Output);
        var viewerReads = await asViewer.GetAsync("/orders");
        var viewerConnects = await asViewer.PostAsJsonAsync("/channels/shopify/connections", new { name = "x", credentials = new { shop = "x", accessToken = "x", webhookSecret = "x" } });
        var withoutToken = await anonymous.GetAsync("/orders");
        var platformApi = (await host.Http.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        var sandboxApi = (await host.Http.GetFromJsonAsync<JsonObject>("/openapi/sandbox.json"))!;

        host.Output.Should().Contain(l => l.Contains("TOKEN=$(cat ", StringComparison.Ordinal), "the Host prints how to call it");
        withDemoToken.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        viewer.ExitCode.Should().Be(0, viewer.Error);
        viewerReads.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        viewerConnects.StatusCode.Should().Be(System.Net.HttpStatusCode.Forbidden);
        withoutToken.StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
        bad.ExitCode.Should().Be(2);
        distributed.ExitCode.Should().Be(2, "distributed mode never issues a development token");
        distributed.Error.Should().Contain("Platform:Identity:Issuer");
        // The platform's document: every operation with its result's schema and its Problem Details; no Sandbox route.
        OpenApiRules.Violations(platformApi, new HashSet<string> { "GET /", "POST /channels/shopify/webhooks/{connectionId}" }).Should().BeEmpty();
        var operations = OpenApiRules.Operations(platformApi).ToList();
        operations.Should().Contain(["GET /orders", "POST /channels/rakuten-jp/connections/{id}/reconcile-stock", "GET /catalog/listings", "GET /identity/api-keys"]);
        operations.Should().NotContain(o => o.Contains(" /rms", StringComparison.Ordinal) || o.Contains(" /control", StringComparison.Ordinal)
                                            || o.Contains(" /shopify/", StringComparison.Ordinal) || o.Contains(" /rakuten-fr", StringComparison.Ordinal));
        platformApi["paths"]!["/catalog/listings"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!.ToJsonString()
            .Should().Contain("ListingView", "a result is described by its named schema");
        // The Sandbox's own: the imitations and their control API, not the platform.
        OpenApiRules.Operations(sandboxApi).Should().Contain(o => o.StartsWith("POST /rms/", StringComparison.Ordinal))
            .And.Contain(o => o.Contains(" /control/", StringComparison.Ordinal)).And.NotContain(o => o.Contains(" /orders", StringComparison.Ordinal));
        landing.Should().NotContain(data).And.NotContain(Path.GetTempPath().TrimEnd('/')).And.Contain("Bearer");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(data, "demo-token")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "the token is its owner's only");
        }
    }
}
