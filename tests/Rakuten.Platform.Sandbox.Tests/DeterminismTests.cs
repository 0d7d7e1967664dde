using System.Net.Http.Json;
using FluentAssertions;

namespace Rakuten.Platform.Sandbox.Tests;

public sealed class DeterminismTests
{
    private static async Task<List<int>> StatusesUnderRandomFaultsAsync()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        (await sandbox.Client.PostAsJsonAsync("/control/faults", new { api = "rms", endpoint = "order.confirmOrder", kind = "ServerError", rate = 0.5 })).EnsureSuccessStatusCode();
        var statuses = new List<int>();
        for (var i = 0; i < 30; i++)
        {
            statuses.Add((await sandbox.OrderApiAsync("confirmOrder", new { orderNumberList = new[] { "123456-20260101-0000000001" } })).Status);
        }

        return statuses;
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_faults_in_the_same_order()
    {
        var first = await StatusesUnderRandomFaultsAsync();
        var second = await StatusesUnderRandomFaultsAsync();

        first.Should().Equal(second);
        first.Should().Contain(500).And.Contain(200, "a rate of 0.5 lets some calls through");
    }
}
