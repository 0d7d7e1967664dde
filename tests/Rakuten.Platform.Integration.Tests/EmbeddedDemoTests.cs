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
    }
}
