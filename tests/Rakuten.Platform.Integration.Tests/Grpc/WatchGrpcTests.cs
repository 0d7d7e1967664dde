using System.Net.Http.Json;
using FluentAssertions;
using Grpc.Core;
using Rakuten.Platform.Api.V1;
using V1 = Rakuten.Platform.Api.V1;
using Rakuten.Platform.Client;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;
using static Rakuten.Platform.Integration.Tests.Grpc.GrpcAssert;

namespace Rakuten.Platform.Integration.Tests.Grpc;

/// <summary>The watch streams (issue 18): a change committed while a watcher is away reaches it when it resumes with its
/// token, in order and once; a token older than what is kept is OUT_OF_RANGE; a watcher too far behind is ended and
/// resumes by token without losing anything.</summary>
public sealed class WatchGrpcTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_watcher_away_during_changes_gets_them_in_order_when_it_resumes_and_a_token_older_than_the_kept_changes_is_out_of_range()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1"), ("Bowl", "BOWL-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 2), "the products on RMS", setup: m);
        var inventory = new V1.Inventory.InventoryClient(m.Hosts.Grpc);
        var mug = new WatchAvailabilityRequest { Names = { "skus/MUG-1" } };

        string token;
        using (var call = inventory.WatchAvailability(mug))
        {
            var start = await NextAsync(call.ResponseStream);
            start.Availability.Should().BeNull("a watch without a token starts with where it stands");
            await SetShopifyStockAsync(m, "BOWL-1", 3); // another SKU: not this watch's
            await SetShopifyStockAsync(m, "MUG-1", 5);
            WatchAvailabilityResponse change;
            do
            {
                change = await NextAsync(call.ResponseStream);
                change.Availability.Sku.Should().Be("MUG-1");
            }
            while (change.Availability.Locations.Sum(l => l.Available) != 5);

            change.Availability.Locations.Should().ContainSingle().Which.Available.Should().Be(5);
            change.Availability.Channels.Select(c => c.Channel).Should().BeEquivalentTo([Channel.RakutenJp, Channel.RakutenFr]);
            token = change.ResumeToken;
        }

        // Away: two changes.
        await SetShopifyStockAsync(m, "MUG-1", 6);
        await WaitForStockAsync(m, "MUG-1", 6);
        await SetShopifyStockAsync(m, "MUG-1", 7);
        await WaitForStockAsync(m, "MUG-1", 7);

        using (var call = inventory.WatchAvailability(new WatchAvailabilityRequest(mug) { ResumeToken = token }))
        {
            var seen = new List<int>();
            while (seen.LastOrDefault() != 7)
            {
                var next = await NextAsync(call.ResponseStream);
                next.Availability.Sku.Should().Be("MUG-1");
                seen.Add(next.Availability.Locations.Single().Available);
            }

            seen.Where((v, i) => i == 0 || seen[i - 1] != v).Should().Equal([6, 7], "each change once, in order");
            // Then live.
            await SetShopifyStockAsync(m, "MUG-1", 8);
            (await NextAsync(call.ResponseStream)).Availability.Locations.Single().Available.Should().Be(8);
        }

        // Tokens that are not this watch's: INVALID_ARGUMENT naming the field.
        var orders = new V1.Orders.OrdersClient(m.Hosts.Grpc);
        Violations(await FailsAsync(() => NextAsync(orders.WatchOrders(new WatchOrdersRequest { ResumeToken = token }).ResponseStream), StatusCode.InvalidArgument))
            .Should().Equal("resume_token");
        Violations(await FailsAsync(() => NextAsync(inventory.WatchAvailability(new WatchAvailabilityRequest { ResumeToken = "garbage" }).ResponseStream),
            StatusCode.InvalidArgument)).Should().Equal("resume_token");

        // Four days later the changes are pruned (3 days kept): the old token is told to read again.
        m.Hosts.Clock.Now = m.Hosts.Clock.Now.AddDays(4);
        await SetShopifyStockAsync(m, "MUG-1", 9); // a watch keeps the feed's reader (and its pruning) going
        using var keeper = inventory.WatchAvailability(new WatchAvailabilityRequest());
        await NextAsync(keeper.ResponseStream);
        await Marketplace.WaitAsync(async () =>
        {
            try
            {
                using var call = inventory.WatchAvailability(new WatchAvailabilityRequest(mug) { ResumeToken = token });
                await NextAsync(call.ResponseStream);
                return false;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.OutOfRange)
            {
                ex.Status.Detail.Should().Contain("BatchGetAvailability");
                return true;
            }
        }, "the old token to be out of range", setup: m);
    }

    [Fact]
    public async Task A_watcher_too_far_behind_is_ended_with_resource_exhausted_and_the_resumable_client_loses_nothing()
    {
        // A buffer of two changes per watcher: a rule change recomputes every SKU in one transaction, more than that at once.
        await using var m = await Marketplace.StartAsync([("A", "SKU-A"), ("B", "SKU-B"), ("C", "SKU-C"), ("D", "SKU-D"), ("E", "SKU-E")],
            settings: new Dictionary<string, string?> { ["Platform:Changes:SubscriberBuffer"] = "2" });
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 5), "the products on RMS", setup: m);
        foreach (var sku in new[] { "SKU-A", "SKU-B", "SKU-C", "SKU-D", "SKU-E" })
        {
            await SetShopifyStockAsync(m, sku, 10);
            await WaitForStockAsync(m, sku, 10);
        }

        var inventory = new V1.Inventory.InventoryClient(m.Hosts.Grpc);
        using var raw = inventory.WatchAvailability(new WatchAvailabilityRequest());
        await NextAsync(raw.ResponseStream);
        var seen = System.Threading.Channels.Channel.CreateUnbounded<WatchAvailabilityResponse>();
        using var stop = new CancellationTokenSource();
        var tokens = new List<string>();
        var resumable = Task.Run(async () =>
        {
            await foreach (var message in inventory.WatchAvailabilityResumably(new WatchAvailabilityRequest(), options: new WatchOptions { OnResumeToken = tokens.Add }, ct: stop.Token))
            {
                await seen.Writer.WriteAsync(message);
            }
        });
        (await seen.Reader.ReadAsync().AsTask().WaitAsync(Patience)).Availability.Should().BeNull();

        (await m.Hosts.Platform.PutAsJsonAsync($"/inventory/connections/{m.Rms}/rules", new { buffer = 3 })).EnsureSuccessStatusCode();

        var ended = await FailsAsync(async () =>
        {
            while (await raw.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }, StatusCode.ResourceExhausted);
        ended.Status.Detail.Should().Contain("resume token");

        var changed = new List<Availability>();
        while (changed.Select(a => a.Sku).Distinct().Count() < 5)
        {
            changed.Add((await seen.Reader.ReadAsync().AsTask().WaitAsync(Patience)).Availability);
        }

        changed.Select(a => a.Sku).Should().BeEquivalentTo(["SKU-A", "SKU-B", "SKU-C", "SKU-D", "SKU-E"], "each once, after the reconnect by token");
        changed.Should().OnlyContain(a => a.Channels.Single(c => c.Connection == $"connections/{m.Rms}").Buffer == 3);
        tokens.Should().OnlyHaveUniqueItems();
        await stop.CancelAsync();
        await FluentActions.Awaiting(() => resumable).Should().ThrowAsync<Exception>();
    }

    [Fact]
    public async Task An_order_watch_sees_an_imported_order_go_from_received_to_accepted_and_filters_by_channel()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        var orders = new V1.Orders.OrdersClient(m.Hosts.Grpc);
        using var rakuten = orders.WatchOrders(new WatchOrdersRequest { Channel = Channel.RakutenJp });
        using var france = orders.WatchOrders(new WatchOrdersRequest { Channel = Channel.RakutenFr });
        await NextAsync(rakuten.ResponseStream);
        await NextAsync(france.ResponseStream);

        var number = await PlaceAsync(m, RmsOrder(await ManageNumberAsync(m), "MUG-1"));
        await PollAsync(m);
        var statuses = new List<OrderStatus>();
        while (true)
        {
            var change = await NextAsync(rakuten.ResponseStream);
            change.Order.ChannelOrderId.Should().Be(number);
            change.ResumeToken.Should().NotBeEmpty();
            statuses.Add(change.Order.Status);
            if (change.Order.ShopifyOrder is not null) break; // exported: the last change of the import
        }

        statuses.Should().Contain(OrderStatus.Accepted);
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await FluentActions.Awaiting(() => france.ResponseStream.MoveNext(quiet.Token)).Should().ThrowAsync<RpcException>()
            .Where(e => e.StatusCode == StatusCode.Cancelled, "the France watch had nothing to say");
    }

    private static async Task<T> NextAsync<T>(IAsyncStreamReader<T> stream)
    {
        using var timeout = new CancellationTokenSource(Patience);
        if (!await stream.MoveNext(timeout.Token))
        {
            throw new InvalidOperationException("The watch ended.");
        }

        return stream.Current;
    }

    private static Task WaitForStockAsync(Marketplace m, string sku, int available) =>
        Marketplace.WaitAsync(async () =>
            (await new V1.Inventory.InventoryClient(m.Hosts.Grpc).BatchGetAvailabilityAsync(new BatchGetAvailabilityRequest { Names = { $"skus/{sku}" } }))
            .Availabilities.Single().Locations.Sum(l => l.Available) == available, $"{sku} at {available}", setup: m);
}
