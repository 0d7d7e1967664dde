using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp;
using Rakuten.Platform.Channels.RakutenJp.Connecting;
using Rakuten.Platform.Channels.RakutenJp.ImportingOrders;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Channels.Shopify;
using Rakuten.Platform.Channels.Shopify.Connecting;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;
using Xunit;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>Every marketplace call through one resilience pipeline per API and connection (issue 19 point 5), against
/// the Sandbox's injected faults and real PostgreSQL.</summary>
public sealed class MarketplacePipelineTests
{
    private const string Secret = "SP-pipeline-secret";
    private const string Key = "SL-pipeline-key";

    private static readonly Dictionary<string, string?> Fast = new()
    {
        ["Platform:Marketplace:Resilience:RetryDelay"] = "00:00:00.05",
        ["Platform:Marketplace:Resilience:AttemptTimeout"] = "00:00:02",
        ["Platform:Marketplace:Resilience:BreakAfter"] = "3",
        // Counted on the platform's clock (Polly takes the TimeProvider of the container): the test moves it past the break.
        ["Platform:Marketplace:Resilience:BreakDuration"] = "00:01:00",
    };

    private static async Task<(ChannelHosts Hosts, Guid Connection)> RmsAsync()
    {
        var hosts = await ChannelHosts.StartAsync(settings: Fast);
        (await hosts.Sandbox.PostAsJsonAsync("/control/rms/shops", new { shopId = "777001", url = "pipeline-shop", serviceSecret = Secret, licenseKey = Key,
            licenseExpiresAt = DateTimeOffset.UtcNow.AddDays(60) })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.PutAsJsonAsync("/control/rms/settings", new { orderApiPerSecond = 0 })).EnsureSuccessStatusCode();
        var created = await hosts.Platform.PostAsJsonAsync("/channels/rakuten-jp/connections", new
        {
            name = "JP", baseUrl = hosts.SandboxUrl + "/rms", credentials = new { serviceSecret = Secret, licenseKey = Key },
        });
        created.EnsureSuccessStatusCode();
        // The inventory of the shop's items runs when a connection is added: it is over before faults and counts start.
        await Marketplace.WaitAsync(async () => (await hosts.Platform.GetFromJsonAsync<JsonArray>("/channels/rakuten-jp/jobs"))!
            .Any(j => j!["kind"]!.GetValue<string>() == "items.inventory" && j["state"]!.GetValue<string>() == "Succeeded"), "the shop's inventory");
        (await hosts.Sandbox.DeleteAsync("/control/calls")).EnsureSuccessStatusCode();
        return (hosts, Guid.Parse((await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>()));
    }

    private static async Task<Dictionary<int, int>> CallsAsync(ChannelHosts hosts, string endpoint) =>
        (await hosts.Sandbox.GetFromJsonAsync<JsonArray>("/control/calls?api=rms"))!.OfType<JsonObject>()
        .Where(c => c["endpoint"]!.GetValue<string>() == endpoint)
        .ToDictionary(c => c["status"]!.GetValue<int>(), c => c["count"]!.GetValue<int>());

    private static Task FaultAsync(ChannelHosts hosts, object rule) => hosts.Sandbox.PostAsJsonAsync("/control/faults", rule).ContinueWith(t => t.Result.EnsureSuccessStatusCode());

    private static readonly RmsCredentials Credentials = new(Secret, Key);

    [Fact]
    public async Task Reads_are_retried_through_5xx_and_timeouts_writes_only_through_429_after_its_Retry_After()
    {
        var (hosts, connection) = await RmsAsync();
        await using var _ = hosts;
        var orders = hosts.Services.GetRequiredService<RmsOrderClient>();
        var rms = hosts.SandboxUrl + "/rms";

        await FaultAsync(hosts, new { api = "rms", endpoint = "order.getOrder", kind = "ServerError", count = 2 });
        var read = await orders.GetOrderAsync(connection, rms, Credentials, ["777001-20261201-0000000001"], CancellationToken.None);
        await FaultAsync(hosts, new { api = "rms", endpoint = "order.getOrder", kind = "Timeout", count = 1, delaySeconds = 10 });
        var slow = await orders.GetOrderAsync(connection, rms, Credentials, ["777001-20261201-0000000001"], CancellationToken.None);
        await FaultAsync(hosts, new { api = "rms", endpoint = "order.cancelOrder", kind = "ServerError", count = 1 });
        var cancel = await orders.CancelOrderAsync(connection, rms, Credentials, "777001-20261201-0000000001", 1, CancellationToken.None);
        await FaultAsync(hosts, new { api = "rms", endpoint = "order.confirmOrder", kind = "RateLimited", count = 1, retryAfterSeconds = 1 });
        var confirm = await orders.ConfirmOrderAsync(connection, rms, Credentials, ["777001-20261201-0000000001"], CancellationToken.None);

        read.Status.Should().Be(HttpStatusCode.OK, "getOrder is a read: two 500s are retried");
        slow.Status.Should().Be(HttpStatusCode.OK, "an attempt that does not answer within its timeout is abandoned and the read sent again");
        (await CallsAsync(hosts, "order.getOrder")).Should().Contain(500, 2).And.ContainKey(200);
        cancel.Status.Should().Be(HttpStatusCode.InternalServerError, "a cancellation that may have run is never sent twice");
        (await CallsAsync(hosts, "order.cancelOrder")).Should().Equal(new Dictionary<int, int> { [500] = 1 });
        confirm.Status.Should().Be(HttpStatusCode.OK, "a 429 says the call did not run: even a write is sent again");
        (await CallsAsync(hosts, "order.confirmOrder")).Should().Equal(new Dictionary<int, int> { [429] = 1, [200] = 1 });
    }

    [Fact]
    public async Task RMS_maintenance_opens_the_connection_s_circuit_which_stops_calls_shows_in_its_health_and_closes_when_RMS_answers_again()
    {
        var (hosts, connection) = await RmsAsync();
        await using var _ = hosts;
        var orders = hosts.Services.GetRequiredService<RmsOrderClient>();
        var circuits = hosts.Services.GetRequiredService<MarketplaceCircuits>();
        var rms = hosts.SandboxUrl + "/rms";
        await FaultAsync(hosts, new { api = "rms", endpoint = "*", kind = "Maintenance", rate = 1.0 });

        var first = await orders.GetOrderAsync(connection, rms, Credentials, ["777001-20261201-0000000001"], CancellationToken.None);
        var second = await orders.GetOrderAsync(connection, rms, Credentials, ["777001-20261201-0000000001"], CancellationToken.None);
        var calls = await CallsAsync(hosts, "order.getOrder");
        var view = await hosts.Platform.GetFromJsonAsync<JsonObject>($"/channels/rakuten-jp/connections/{connection}");
        var gauge = await new CircuitsProbe(circuits).SampleAsync(hosts.Services, CancellationToken.None);

        first.Status.Should().Be(HttpStatusCode.ServiceUnavailable);
        second.Status.Should().Be(HttpStatusCode.ServiceUnavailable);
        // The circuit opens on the failure ratio over its window (at least 3 calls): the inventory's successful items.search
        // on connect is one of them, so 2 or 3 503s open it — and no call after that reaches RMS.
        calls.Keys.Should().Equal([503]);
        calls[503].Should().BeInRange(2, 3, "the circuit opens after the window's third call; the calls after it do not reach RMS");
        circuits.Of(Channel.RakutenJp, connection)!.Value.State.Should().Be(CircuitState.Open);
        gauge.Should().Contain(s => s.Metric == "platform.marketplace.circuit.state" && s.Value == (int)CircuitState.Open
                                    && s.Tags.Contains(new KeyValuePair<string, object?>("connection_id", connection.ToString())));
        view!["health"]!.GetValue<string>().Should().Be("Unreachable");
        view["healthDetail"]!.GetValue<string>().Should().Contain("HTTP 503").And.Contain("calls are paused until");
        view["flowsPaused"]!.GetValue<bool>().Should().BeFalse("a maintenance window pauses calls, not the connection's flows");

        (await hosts.Sandbox.DeleteAsync("/control/faults")).EnsureSuccessStatusCode();
        RmsAnswer? after = null;
        await Marketplace.WaitAsync(async () =>
        {
            hosts.Clock.Now += TimeSpan.FromSeconds(15);
            after = await orders.GetOrderAsync(connection, rms, Credentials, ["777001-20261201-0000000001"], CancellationToken.None);
            return after.Status == HttpStatusCode.OK;
        }, "RMS answering through the half-open circuit", seconds: 20);
        var healed = await hosts.Platform.GetFromJsonAsync<JsonObject>($"/channels/rakuten-jp/connections/{connection}");

        circuits.Of(Channel.RakutenJp, connection)!.Value.State.Should().Be(CircuitState.Closed);
        healed!["health"]!.GetValue<string>().Should().Be("Healthy");
        healed["healthDetail"]!.GetValue<string>().Should().Be("RMS answers again.");
    }

    [Fact]
    public async Task Two_replicas_share_one_rate_budget_per_connection_through_PostgreSQL()
    {
        await using var hosts = await ChannelHosts.StartAsync();
        var database = hosts.Services.GetRequiredService<ServiceDatabase<RakutenJpDbContext>>().Database;
        // Two budgets on their own pools, as two processes of the service would have: one shop, 5 calls a second between them.
        await using var one = (SharedRateBudget)RateBudget.For(database);
        await using var two = (SharedRateBudget)RateBudget.For(database);
        var limit = RateLimit.PerSecond("items", 5);
        var account = Guid.NewGuid().ToString();

        var taken = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var budget = i % 2 == 0 ? one : two;
            var slots = new List<DateTimeOffset>();
            for (var n = 0; n < 3; n++)
            {
                slots.Add((await budget.TakeAsync(account, limit, CancellationToken.None)).Slot.TakenAt);
            }

            return slots;
        }));

        var times = taken.SelectMany(t => t).Order().ToList();
        times.Should().HaveCount(24);
        for (var i = 0; i + limit.Calls < times.Count; i++)
        {
            (times[i + limit.Calls] - times[i]).Should().BeGreaterThanOrEqualTo(limit.Per,
                "no rolling second holds more than five calls of the shop, whichever replica made them");
        }
    }

    [Fact]
    public async Task A_throttled_Shopify_store_is_waited_out_from_its_cost_bucket_and_every_query_answers()
    {
        await using var hosts = await ChannelHosts.StartAsync(settings: Fast);
        (await hosts.Sandbox.PostAsJsonAsync("/control/shopify/shops", new { shop = "tiny-bucket", accessToken = "shpat_tiny", webhookSecret = "whsec_tiny" })).EnsureSuccessStatusCode();
        var created = await hosts.Platform.PostAsJsonAsync("/channels/shopify/connections", new
        {
            name = "Shopify", baseUrl = hosts.SandboxUrl + "/shopify/tiny-bucket", credentials = new { shop = "tiny-bucket", accessToken = "shpat_tiny", webhookSecret = "whsec_tiny" },
        });
        created.EnsureSuccessStatusCode();
        var id = Guid.Parse((await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>());
        // A bucket that holds two queries and refills one a second: eight at once must wait for it (HTTP 200 + THROTTLED).
        (await hosts.Sandbox.PutAsJsonAsync("/control/shopify/settings", new { bucketSize = 4, restoreRate = 2 })).EnsureSuccessStatusCode();
        (await hosts.Sandbox.DeleteAsync("/control/calls")).EnsureSuccessStatusCode();
        await using var scope = hosts.Services.CreateAsyncScope();
        var connection = await scope.ServiceProvider.GetRequiredService<ShopifyDbContext>().Connections.AsNoTracking().SingleAsync(c => c.Id == id);
        var shopify = hosts.Services.GetRequiredService<ShopifyAdminClient>();

        var found = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            shopify.ProductExistsAsync(connection, new ShopifyCredentials("tiny-bucket", "shpat_tiny", "whsec_tiny"), "1", CancellationToken.None)));

        found.Should().AllBeEquivalentTo(false, "every query was answered (product 1 does not exist)");
        var calls = (await hosts.Sandbox.GetFromJsonAsync<JsonArray>("/control/calls?api=shopify"))!.OfType<JsonObject>().ToList();
        calls.Sum(c => c["count"]!.GetValue<int>()).Should().BeGreaterThan(8, "some queries were throttled and asked again");
    }
}
