using System.Diagnostics;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.Api.V1;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;
using V1 = Rakuten.Platform.Api.V1;

namespace Rakuten.Platform.Integration.Tests.Grpc;

/// <summary>The gRPC API against clients nobody here wrote (issue 18): Node's @grpc/grpc-js with @grpc/proto-loader reading
/// the .proto files (tests/grpc-peer), and buf curl for health and reflection.</summary>
public sealed class IndependentClientTests
{
    [Fact]
    public async Task A_grpc_js_client_reads_pages_gets_errors_with_details_and_resumes_a_watch_and_buf_curl_finds_health_and_reflection()
    {
        var peer = await LocalInfrastructure.EnsureGrpcPeerAsync();
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", 4);
        await PlaceAsync(m, RmsOrder(await ManageNumberAsync(m), "MUG-1"));
        await PollAsync(m);
        var orders = new V1.Orders.OrdersClient(m.Hosts.Grpc);
        await Marketplace.WaitAsync(async () => (await orders.ListOrdersAsync(new ListOrdersRequest())).Orders.SingleOrDefault()?.ShopifyOrder is not null, "the order in Shopify", setup: m);
        var order = (await orders.ListOrdersAsync(new ListOrdersRequest())).Orders.Single();
        var token = TestIdentity.Token(m.Tenant, TestIdentity.AllTenantRoles);
        var address = new Uri(m.Hosts.GrpcUrl).Authority;

        // Unary calls, paging and errors with their google.rpc details, decoded by grpc-js and protobufjs.
        var (code, lines) = await RunAsync(peer, null, "node", "peer.mjs", "unary", "--url", address, "--token", token, "--order", order.Name, "--sku", "MUG-1");
        code.Should().Be(0, string.Join('\n', lines));
        var steps = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToDictionary(l => l["step"]!.GetValue<string>());
        steps["get-order"]["status"]!.GetValue<string>().Should().Be("ACCEPTED");
        steps["get-order"]["channel_order_id"]!.GetValue<string>().Should().Be(order.ChannelOrderId);
        steps["list-orders"]["names"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(order.Name);
        steps["get-order-malformed-name"]["codeName"]!.GetValue<string>().Should().Be("INVALID_ARGUMENT");
        steps["get-order-malformed-name"]["violations"]![0]!["field"]!.GetValue<string>().Should().Be("name");
        steps["get-order-unknown"]["codeName"]!.GetValue<string>().Should().Be("NOT_FOUND");
        steps["get-order-timeline"]["types"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Contain("OrderWasExported");
        steps["get-availability"]["sku"]!.GetValue<string>().Should().Be("MUG-1");
        steps["batch-get-availability"]["found"]!.AsArray().Select(f => f!.GetValue<bool>()).Should().Equal(true, false);
        steps["batch-get-availability-too-many"]["violations"]![0]!["field"]!.GetValue<string>().Should().Be("names");
        steps["list-listings"]["count"]!.GetValue<int>().Should().Be(2);
        steps["list-connections"]["count"]!.GetValue<int>().Should().Be(3);

        // A watch: one change, a disconnect, two changes while away, then a resume by token that gets both, in order.
        var start = new ProcessStartInfo("node", ["peer.mjs", "watch", "--url", address, "--token", token, "--sku", "MUG-1", "--expect", "2"])
        {
            WorkingDirectory = peer, RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true,
        };
        using var watch = Process.Start(start)!;
        try
        {
            async Task<JsonObject> NextAsync()
            {
                var line = await watch.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
                           ?? throw new InvalidOperationException("the peer ended: " + await watch.StandardError.ReadToEndAsync());
                return JsonNode.Parse(line)!.AsObject();
            }

            (await NextAsync())["event"]!.GetValue<string>().Should().Be("ready");
            await SetShopifyStockAsync(m, "MUG-1", 5);
            var first = await NextAsync();
            first["event"]!.GetValue<string>().Should().Be("change");
            first["locations"]![0]!["available"]!.GetValue<int>().Should().Be(5);
            (await NextAsync())["event"]!.GetValue<string>().Should().Be("disconnected");
            foreach (var level in new[] { 6, 7 })
            {
                await SetShopifyStockAsync(m, "MUG-1", level);
                await Marketplace.WaitAsync(async () => (await new V1.Inventory.InventoryClient(m.Hosts.Grpc).GetAvailabilityAsync(new GetAvailabilityRequest { Name = "skus/MUG-1" }))
                    .Locations.Single().Available == level, $"MUG-1 at {level}", setup: m);
            }

            await watch.StandardInput.WriteLineAsync("go");
            await watch.StandardInput.FlushAsync();
            var resumed = new[] { await NextAsync(), await NextAsync() };
            resumed.Select(c => c["locations"]![0]!["available"]!.GetValue<int>()).Should().Equal(6, 7);
            (await NextAsync())["event"]!.GetValue<string>().Should().Be("done");
        }
        finally
        {
            if (!watch.HasExited) watch.Kill();
        }

        // buf curl: reflection needs an identity (the health call itself is open: no -H), and describes health and the API.
        var buf = Path.Combine(peer, "node_modules", ".bin", "buf");
        var url = m.Hosts.GrpcUrl.TrimEnd('/');
        var bearer = $"authorization: Bearer {token}";
        var (healthCode, health) = await RunAsync(peer, null, buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--reflect-header", bearer,
            $"{url}/grpc.health.v1.Health/Check");
        healthCode.Should().Be(0, string.Join('\n', health));
        string.Join("", health).Should().Contain("SERVING");
        var (listCode, services) = await RunAsync(peer, null, buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--reflect-header", bearer, "--list-services", url);
        listCode.Should().Be(0, string.Join('\n', services));
        services.Should().Contain(["rakuten.platform.v1.Orders", "rakuten.platform.v1.Inventory", "rakuten.platform.v1.Connections"]);
        var (callCode, got) = await RunAsync(peer, null, buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge", "-H", bearer, "--reflect-header", bearer,
            "-d", $"{{\"name\":\"{order.Name}\"}}", $"{url}/rakuten.platform.v1.Orders/GetOrder");
        callCode.Should().Be(0, string.Join('\n', got));
        JsonNode.Parse(string.Join('\n', got))!["channelOrderId"]!.GetValue<string>().Should().Be(order.ChannelOrderId);
    }

    private static async Task<(int Code, List<string> Lines)> RunAsync(string folder, string? input, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (process.ExitCode != 0) lines.Add(await error);
        return (process.ExitCode, lines);
    }
}
