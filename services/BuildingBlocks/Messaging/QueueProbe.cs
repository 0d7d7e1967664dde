using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rakuten.Platform.BuildingBlocks.Hosting;

namespace Rakuten.Platform.BuildingBlocks.Messaging;

/// <summary>The depth of this process's queues and of their <c>_error</c> queues, and the age of the oldest message
/// where RabbitMQ knows it, read from the management API (<c>Platform:Messaging:ManagementUrl</c>) with the bus's own
/// credentials. A queue that does not exist yet reads as empty: nothing waits in it.</summary>
public sealed class QueueProbe(QueueProbe.Settings settings, TimeProvider clock) : IStateProbe
{
    public sealed record Settings(Uri ManagementUrl, RabbitMqAddress Broker, IReadOnlyCollection<string> Queues);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public IReadOnlyList<(string Metric, string Unit, string Description)> Metrics { get; } =
    [
        ("platform.queue.messages", "{message}", "Messages in a queue (ready and unacknowledged); error queues end in _error."),
        ("platform.queue.oldest_age", "s", "Age of the message at the head of a queue (0 when empty)."),
    ];

    public async Task<IReadOnlyList<GaugeSample>> SampleAsync(IServiceProvider services, CancellationToken ct)
    {
        var broker = settings.Broker;
        using var request = new HttpRequestMessage(HttpMethod.Get,
            new Uri(settings.ManagementUrl, $"api/queues/{Uri.EscapeDataString(broker.VirtualHost)}?columns=name,messages,head_message_timestamp"));
        var credentials = $"{broker.Username}:{broker.Password}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        using var response = await Http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var queues = (await response.Content.ReadFromJsonAsync<JsonArray>(ct) ?? [])
            .OfType<JsonObject>()
            .Where(q => q["name"] is not null)
            .ToDictionary(q => q["name"]!.GetValue<string>());
        var now = clock.GetUtcNow();
        var samples = new List<GaugeSample>();
        foreach (var name in settings.Queues.SelectMany(q => new[] { q, q + "_error" }))
        {
            var queue = queues.GetValueOrDefault(name);
            var messages = queue?["messages"]?.GetValue<long>() ?? 0;
            var tag = new KeyValuePair<string, object?>("queue", name);
            samples.Add(new("platform.queue.messages", messages, tag));
            if (messages == 0)
            {
                samples.Add(new("platform.queue.oldest_age", 0, tag));
            }
            else if (queue?["head_message_timestamp"]?.GetValue<long>() is { } head)
            {
                samples.Add(new("platform.queue.oldest_age", Math.Max(0, (now - DateTimeOffset.FromUnixTimeSeconds(head)).TotalSeconds), tag));
            }
        }

        return samples;
    }
}
