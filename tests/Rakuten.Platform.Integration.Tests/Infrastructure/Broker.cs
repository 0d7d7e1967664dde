using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Infrastructure;

public static class Broker
{
    /// <summary>Messages in a queue as RabbitMQ's management API reports them (its statistics lag a few
    /// seconds), or -1 while the queue does not exist. The API also sees the exclusive queues of temporary
    /// endpoints, which a second AMQP connection may not declare.</summary>
    public static async Task<long> MessagesInAsync(LocalInfrastructure infrastructure, string queue)
    {
        using var http = new HttpClient { BaseAddress = new Uri(infrastructure.RabbitManagement) };
        var user = new Uri(infrastructure.RabbitMq).UserInfo;
        http.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(user))));
        using var response = await http.GetAsync($"api/queues/%2F/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return -1;
        }

        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Number
            ? messages.GetInt64()
            : 0;
    }
}
