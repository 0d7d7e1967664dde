using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FluentAssertions;

namespace Rakuten.Platform.Integration.Tests.Infrastructure;

/// <summary>Long operations answer 202 with a job (issue 19): these read it until it has finished.</summary>
public static class JobPolling
{
    /// <summary>Checks <paramref name="accepted"/> is 202 with a job and its Location, then reads the job until it is
    /// Succeeded or Failed; answers the finished job.</summary>
    public static async Task<JsonObject> FinishedAsync(HttpClient client, HttpResponseMessage accepted, int seconds = 90,
        HttpStatusCode expect = HttpStatusCode.Accepted)
    {
        accepted.StatusCode.Should().Be(expect, await accepted.Content.ReadAsStringAsync());
        var job = (await accepted.Content.ReadFromJsonAsync<JsonObject>())!;
        var location = job["location"]!.GetValue<string>();
        if (expect == HttpStatusCode.Accepted)
        {
            accepted.Headers.Location!.ToString().Should().Be(location);
        }

        await Marketplace.WaitAsync(async () =>
        {
            job = (await client.GetFromJsonAsync<JsonObject>(location))!;
            return job["state"]!.GetValue<string>() is "Succeeded" or "Failed";
        }, $"job {location} to finish", seconds);
        return job;
    }

    /// <summary>POSTs <paramref name="path"/> (no body) and waits for its job.</summary>
    public static async Task<JsonObject> RunAsync(HttpClient client, string path, int seconds = 90) =>
        await FinishedAsync(client, await client.PostAsync(path, null), seconds);
}
