using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;

using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests;

public sealed class MessagingTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Fact]
    public async Task An_event_published_by_one_service_process_is_consumed_by_another_over_RabbitMQ_in_the_same_trace()
    {
        await using var consumer = await ServiceProcess.StartAsync(await Probe.DistributedAsync(Probe.UniqueName("msg_consumer"), consume: true));
        await using var producer = await ServiceProcess.StartAsync(await Probe.DistributedAsync(Probe.UniqueName("msg_producer"), consume: false));

        var committed = await producer.CommitAsync(count: 5, traceParent: $"00-{TraceId}-00f067aa0ba902b7-01");

        await consumer.WaitUntilAsync(async () => (await consumer.EffectsAsync()).Count(e => committed.ProbeIds.Contains(e.ProbeId)) == 5,
            TimeSpan.FromSeconds(30), "the consumer to apply the 5 events");
        var effects = (await consumer.EffectsAsync()).Where(e => committed.ProbeIds.Contains(e.ProbeId)).ToList();
        effects.Select(e => e.MessageId).Should().BeEquivalentTo(committed.MessageIds, "the outbox row id is the message id");
        effects.Should().AllSatisfy(e => e.TraceId.Should().Be(TraceId, "the trace started by the HTTP request continues in the consumer"));
        (await producer.EffectsAsync()).Should().BeEmpty("the producer does not consume");
    }

    [Fact]
    public async Task The_same_flow_passes_in_one_embedded_process_over_the_in_memory_bus_and_SQLite()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "rakuten-platform-tests", Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string>
        {
            ["Platform:Mode"] = "Embedded",
            ["Platform:DataDirectory"] = dataDirectory,
            ["Probe:Name"] = "probe",
        });

        var committed = await service.CommitAsync(count: 5, traceParent: $"00-{TraceId}-00f067aa0ba902b7-01");

        await service.WaitUntilAsync(async () => (await service.EffectsAsync()).Count == 5, TimeSpan.FromSeconds(30), "5 effects");
        var effects = await service.EffectsAsync();
        effects.Select(e => e.MessageId).Should().BeEquivalentTo(committed.MessageIds);
        effects.Should().AllSatisfy(e => e.TraceId.Should().Be(TraceId));
        File.Exists(Path.Combine(dataDirectory, "probe.db")).Should().BeTrue();
    }
}

public sealed class FailureTests
{
    [Fact]
    public async Task A_message_that_always_fails_is_retried_then_parked_in_the_error_queue_without_blocking_the_others()
    {
        var infrastructure = await LocalInfrastructure.EnsureStartedAsync();
        var name = Probe.UniqueName("poison");
        var errorQueue = $"{name}-probe-happened_error";
        await using var consumer = await ServiceProcess.StartAsync(await Probe.DistributedAsync(name, consume: true));

        var poison = await consumer.CommitAsync(poison: true);
        var healthy = await consumer.CommitAsync(count: 3);

        await consumer.WaitUntilAsync(async () => (await consumer.EffectsAsync()).Count == 3, TimeSpan.FromSeconds(30),
            "the healthy events to pass the poison one");
        await consumer.WaitUntilAsync(async () => await Broker.MessagesInAsync(infrastructure, errorQueue) == 1,
            TimeSpan.FromSeconds(30), $"the poison event in {errorQueue}");

        (await consumer.EffectsAsync()).Select(e => e.ProbeId).Should().BeEquivalentTo(healthy.ProbeIds);
        consumer.Output.Should().Contain(l => l.Contains($"probe {poison.ProbeIds[0]} is poison", StringComparison.Ordinal),
            "the failure is logged with its reason");
        // The first attempt, the 3 immediate retries, then the 2 spaced ones the test service is configured with.
        consumer.Output.Count(l => l == $"POISON ATTEMPT {poison.ProbeIds[0]}").Should().Be(1 + 3 + 2, "every retry, immediate and spaced, is made");
    }
}
