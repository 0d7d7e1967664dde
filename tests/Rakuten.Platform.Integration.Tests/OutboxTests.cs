using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;

using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>The outbox against real PostgreSQL and RabbitMQ, with the publishing service as a child process.</summary>
public sealed class OutboxTests
{
    [Fact]
    public async Task Events_committed_before_a_SIGKILL_are_published_exactly_once_after_the_restart()
    {
        var infrastructure = await LocalInfrastructure.EnsureStartedAsync();
        await using var tap = await BrokerTap.AttachAsync(infrastructure.RabbitMq, Probe.Exchange);
        var name = Probe.UniqueName("outbox_kill");

        // The relay is off in the first life, so the process dies with its events committed and unpublished:
        // exactly the window between commit and publish.
        var first = await ServiceProcess.StartAsync(await Probe.DistributedAsync(name, consume: false, relay: false));
        var committed = await first.CommitAsync(count: 20);
        first.Output.Should().Contain(l => l.StartsWith("COMMITTED", StringComparison.Ordinal));
        first.Kill();
        tap.Deliveries.Should().BeEmpty("nothing was published before the kill");

        await using var second = await ServiceProcess.StartAsync(await Probe.DistributedAsync(name, consume: false));
        var expected = committed.MessageIds.Select(id => id.ToString()).ToHashSet();
        await second.WaitUntilAsync(
            () => Task.FromResult(expected.All(tap.Deliveries.ContainsKey)), TimeSpan.FromSeconds(30), "every committed event on the broker");
        await second.WaitUntilAsync(async () => (await second.OutboxAsync()).Pending == 0, TimeSpan.FromSeconds(10), "the outbox to drain");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a sweep or two more: nothing may be published again

        tap.Deliveries.Keys.Should().BeEquivalentTo(expected);
        tap.Deliveries.Values.Should().AllSatisfy(n => n.Should().Be(1));
    }

    [Fact]
    public async Task An_event_whose_transaction_rolls_back_is_never_published()
    {
        var infrastructure = await LocalInfrastructure.EnsureStartedAsync();
        await using var tap = await BrokerTap.AttachAsync(infrastructure.RabbitMq, Probe.Exchange);
        await using var service = await ServiceProcess.StartAsync(await Probe.DistributedAsync(Probe.UniqueName("outbox_rb"), consume: false));

        var rolledBack = await service.CommitAsync(count: 3, rollback: true);
        var marker = await service.CommitAsync(count: 1);
        var markerId = marker.MessageIds.Single().ToString();
        await service.WaitUntilAsync(() => Task.FromResult(tap.Deliveries.ContainsKey(markerId)), TimeSpan.FromSeconds(30), "the marker event");
        await Task.Delay(TimeSpan.FromSeconds(3));

        tap.Deliveries.Keys.Should().NotIntersectWith(rolledBack.MessageIds.Select(id => id.ToString()));
        (await service.OutboxAsync()).Pending.Should().Be(0);
    }

    [Fact]
    public async Task A_relay_killed_under_load_loses_nothing_and_the_consumer_applies_each_event_once()
    {
        var name = Probe.UniqueName("outbox_load");
        var consumerName = Probe.UniqueName("outbox_sink");
        await using var consumer = await ServiceProcess.StartAsync(await Probe.DistributedAsync(consumerName, consume: true));

        // Kill the producer while it is committing and publishing; whatever it acknowledged must arrive.
        var producer = await ServiceProcess.StartAsync(await Probe.DistributedAsync(name, consume: false));
        var acknowledged = new List<Guid>();
        var load = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                try
                {
                    acknowledged.AddRange((await producer.CommitAsync(count: 5)).MessageIds);
                }
                catch (HttpRequestException)
                {
                    return; // killed mid-request: that batch was never acknowledged
                }
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(2));
        producer.Kill();
        await load;
        await producer.DisposeAsync();
        acknowledged.Should().NotBeEmpty();

        await using var restarted = await ServiceProcess.StartAsync(await Probe.DistributedAsync(name, consume: false));
        await consumer.WaitUntilAsync(async () =>
        {
            var seen = (await consumer.EffectsAsync()).Select(e => e.MessageId).ToHashSet();
            return acknowledged.All(seen.Contains);
        }, TimeSpan.FromSeconds(60), "every acknowledged event to reach the consumer");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var effects = await consumer.EffectsAsync();
        effects.GroupBy(e => e.MessageId).Should().AllSatisfy(g => g.Should().HaveCount(1));
        effects.Select(e => e.MessageId).Should().Contain(acknowledged);
    }
}
