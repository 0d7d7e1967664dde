using System.Diagnostics;
using System.Text.Json.Nodes;
using FluentAssertions;
using Rakuten.Platform.TestService.Testing;
using Xunit;

namespace Rakuten.Platform.Integration.Tests.Observability;

/// <summary>The alert rules and every dashboard query, checked by Prometheus's own promtool (Debian's package): the rules
/// parse and fire on the states they are for (alerts.test.yml), and each panel's PromQL parses.</summary>
public sealed class DashboardAndAlertTests
{
    [Fact]
    public async Task The_alert_rules_parse_and_their_unit_tests_pass()
    {
        var promtool = await LocalInfrastructure.EnsurePromtoolAsync();
        var prometheus = Path.Combine(DashboardsAndAlerts.Deploy, "prometheus");
        (await RunAsync(promtool, prometheus, "check", "rules", "alerts.yml")).Should().Contain("SUCCESS");
        (await RunAsync(promtool, prometheus, "test", "rules", "alerts.test.yml")).Should().Contain("SUCCESS");
    }

    [Fact]
    public async Task Every_dashboard_query_is_valid_PromQL_on_a_provisioned_datasource()
    {
        var promtool = await LocalInfrastructure.EnsurePromtoolAsync();
        var datasources = File.ReadAllText(Path.Combine(DashboardsAndAlerts.Deploy, "grafana", "provisioning", "datasources", "datasources.yaml"));
        var files = DashboardsAndAlerts.DashboardFiles.Select(Path.GetFileName).ToList();
        files.Should().Contain(["ops-overview.json", "marketplace-api.json", "messaging.json", "orders.json"]);
        foreach (var file in DashboardsAndAlerts.DashboardFiles)
        {
            var dashboard = JsonNode.Parse(File.ReadAllText(file))!;
            foreach (var panel in dashboard["panels"]!.AsArray())
            {
                datasources.Should().Contain($"uid: {panel!["datasource"]!["uid"]!.GetValue<string>()}", $"{Path.GetFileName(file)} names a provisioned datasource");
            }
        }

        var uids = DashboardsAndAlerts.DashboardFiles.Select(f => JsonNode.Parse(File.ReadAllText(f))!["uid"]!.GetValue<string>()).ToList();
        uids.Should().OnlyHaveUniqueItems();

        // promtool checks PromQL offline as recording rules; Grafana's variables become what they stand for.
        var queries = DashboardsAndAlerts.DashboardQueries().ToList();
        queries.Should().HaveCountGreaterThan(20);
        var rules = string.Join("\n", queries.Select((q, i) =>
            $"      - record: dashboard:query_{i}\n        expr: {System.Text.Json.JsonSerializer.Serialize(Grafana(q.Expr))}"));
        var rulesFile = Path.Combine(Path.GetTempPath(), $"dashboards-{Guid.NewGuid():N}.rules.yml");
        await File.WriteAllTextAsync(rulesFile, $"groups:\n  - name: dashboards\n    rules:\n{rules}\n");
        try
        {
            (await RunAsync(promtool, Path.GetTempPath(), "check", "rules", rulesFile)).Should().Contain($"SUCCESS: {queries.Count} rules found");
        }
        finally
        {
            File.Delete(rulesFile);
        }
    }

    [Fact]
    public async Task A_dashboard_query_with_a_typo_is_caught()
    {
        // The check above would be worthless if promtool accepted anything: a broken expression fails it.
        var promtool = await LocalInfrastructure.EnsurePromtoolAsync();
        var file = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.rules.yml");
        await File.WriteAllTextAsync(file, "groups:\n  - name: broken\n    rules:\n      - record: dashboard:broken\n        expr: \"sum by (queue (platform_queue_messages)\"\n");
        try
        {
            var run = () => RunAsync(promtool, Path.GetTempPath(), "check", "rules", file);
            await run.Should().ThrowAsync<InvalidOperationException>();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Grafana(string expr) => expr.Replace("$__rate_interval", "5m").Replace("$channel", ".*");

    private static async Task<string> RunAsync(string promtool, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(promtool, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"promtool {string.Join(' ', args)} failed:\n{output}");
    }
}
