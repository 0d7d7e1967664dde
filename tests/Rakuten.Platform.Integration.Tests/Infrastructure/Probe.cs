using System.Net.Http.Json;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.TestService;

using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Infrastructure;

public static class Probe
{
    public const string Exchange = "rakuten-platform.test.probe-happened.v1";

    public static async Task<IReadOnlyDictionary<string, string>> DistributedAsync(string name, bool consume, bool relay = true)
    {
        var infrastructure = await LocalInfrastructure.EnsureStartedAsync();
        return new Dictionary<string, string>
        {
            ["Platform:Mode"] = "Distributed",
            ["ConnectionStrings:Postgres"] = infrastructure.Postgres,
            ["ConnectionStrings:RabbitMq"] = infrastructure.RabbitMq,
            ["Probe:Name"] = name,
            ["Probe:Consume"] = consume.ToString(),
            ["Platform:Outbox:RelayEnabled"] = relay.ToString(),
        };
    }

    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    public static async Task<CommitResult> CommitAsync(
        this ServiceProcess service, int count = 1, bool rollback = false, string? traceParent = null, bool poison = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/probe/commit")
        {
            Content = JsonContent.Create(new CommitRequest(count, rollback, Poison: poison)),
        };
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }

        using var response = await service.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CommitResult>())!;
    }

    public static async Task<IReadOnlyList<ProbeEffect>> EffectsAsync(this ServiceProcess service) =>
        (await service.Http.GetFromJsonAsync<List<ProbeEffect>>("/probe/effects"))!;

    /// <summary>The outbox view is the platform operators' (role ops).</summary>
    public static async Task<OutboxStatus> OutboxAsync(this ServiceProcess service)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/probe/ops/outbox");
        request.Headers.Authorization = TestIdentity.Bearer(null, "ops");
        using var response = await service.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<OutboxStatus>())!;
    }
}
