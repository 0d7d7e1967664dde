using System.Net;
using FluentAssertions;
using Rakuten.Platform.Integration.Tests.Infrastructure;

using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task Ready_is_false_while_PostgreSQL_is_stopped_and_true_again_once_it_is_back()
    {
        await using var service = await ServiceProcess.StartAsync(await Probe.DistributedAsync(Probe.UniqueName("health"), consume: false));
        await service.WaitUntilAsync(async () => await ReadyAsync(service) == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "ready");

        try
        {
            await LocalInfrastructure.StopPostgresAsync();
            await service.WaitUntilAsync(async () => await ReadyAsync(service) == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(30), "not ready while the database is down");
            var body = await service.Http.GetStringAsync("/health/live");
            body.Should().Contain("Healthy", "the process itself stays alive");
            using var report = await service.Http.GetAsync("/health/ready");
            (await report.Content.ReadAsStringAsync()).Should().Contain("unreachable").And.NotContain("Password");
        }
        finally
        {
            await LocalInfrastructure.RestartAsync();
        }

        await service.WaitUntilAsync(async () => await ReadyAsync(service) == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "ready again");
    }

    private static async Task<HttpStatusCode> ReadyAsync(ServiceProcess service)
    {
        using var response = await service.Http.GetAsync("/health/ready");
        return response.StatusCode;
    }
}
