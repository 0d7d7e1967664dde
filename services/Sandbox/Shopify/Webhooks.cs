using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Shopify;

/// <summary>How webhooks misbehave, as Shopify's do (reference §B.7): duplicates, out-of-order arrival, and
/// 8 retries over 4 hours — compressed by <c>RetryScale</c> for tests.</summary>
public sealed class WebhookSettings
{
    public double DuplicateRate { get; set; }

    public int MaxDelayMilliseconds { get; set; }

    public double RetryScale { get; set; } = 1.0;

    public int TimeoutSeconds { get; set; } = 5;
}

public sealed record WebhookAttempt(long SubscriptionId, string Topic, string EventId, string CallbackUrl, int Attempt, int? Status, string? Error, DateTimeOffset At);

/// <summary>Delivers webhooks: <c>base64(HMAC-SHA256(webhook secret, raw body))</c> in X-Shopify-Hmac-Sha256, the
/// same X-Shopify-Event-Id on every retry and duplicate, the original payload and X-Shopify-Triggered-At on retries.</summary>
public sealed class WebhookDeliverer(SandboxState state, IHttpClientFactory http, ILogger<WebhookDeliverer> logger) : BackgroundService
{
    // 8 retries over about 4 hours with exponential backoff (since 2024-09).
    private static readonly TimeSpan[] Backoff =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3),
        TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(50), TimeSpan.FromMinutes(120),
    ];

    private readonly Channel<Delivery> _queue = Channel.CreateUnbounded<Delivery>();

    // Requests in flight at once: a burst of thousands of changes would otherwise open a connection each to the
    // receiver at the same moment, which no sender does and which measures the sockets rather than the receiver.
    private readonly SemaphoreSlim _inFlight = new(64);

    public List<WebhookAttempt> Attempts { get; } = [];

    private sealed record Delivery(ShopifyShop Shop, SWebhook Subscription, string Topic, string Body, string EventId, DateTimeOffset TriggeredAt, int Attempt);

    /// <summary>Queues <paramref name="payload"/> for every subscription of <paramref name="topic"/>. Called under the state lock.</summary>
    public void Emit(ShopifyShop shop, string topic, JsonObject payload)
    {
        var body = payload.ToJsonString();
        var eventId = Guid.NewGuid().ToString();
        var now = state.Clock.GetUtcNow();
        foreach (var subscription in shop.Webhooks.Where(w => w.Topic == topic))
        {
            _queue.Writer.TryWrite(new Delivery(shop, subscription, topic, body, eventId, now, 0));
            if (state.Shopify.Webhooks.DuplicateRate > 0 && state.Random.NextDouble() < state.Shopify.Webhooks.DuplicateRate)
            {
                _queue.Writer.TryWrite(new Delivery(shop, subscription, topic, body, eventId, now, 0));
            }
        }
    }

    public static string Sign(string body, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var delivery in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            int delay;
            lock (state.Sync)
            {
                delay = state.Shopify.Webhooks.MaxDelayMilliseconds > 0 ? state.Random.Next(state.Shopify.Webhooks.MaxDelayMilliseconds) : 0;
            }

            // Each delivery on its own: a random delay per delivery is what reorders them.
            _ = Task.Run(async () =>
            {
                await Task.Delay(delay, stoppingToken);
                await DeliverAsync(delivery, stoppingToken);
            }, stoppingToken);
        }
    }

    private async Task DeliverAsync(Delivery d, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, d.Subscription.CallbackUrl)
        {
            Content = new StringContent(d.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Shopify-Topic", d.Topic);
        request.Headers.Add("X-Shopify-Hmac-Sha256", Sign(d.Body, d.Shop.WebhookSecret));
        request.Headers.Add("X-Shopify-Shop-Domain", $"{d.Shop.Shop}.myshopify.com");
        request.Headers.Add("X-Shopify-API-Version", ShopifyAdminApi.DefaultVersion);
        request.Headers.Add("X-Shopify-Webhook-Id", Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Event-Id", d.EventId);
        request.Headers.Add("X-Shopify-Triggered-At", d.TriggeredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"));
        int? status = null;
        string? error = null;
        await _inFlight.WaitAsync(ct);
        try
        {
            using var client = http.CreateClient("shopify-webhooks");
            client.Timeout = TimeSpan.FromSeconds(state.Shopify.Webhooks.TimeoutSeconds);
            using var response = await client.SendAsync(request, ct);
            status = (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            error = ex.Message;
        }
        finally
        {
            _inFlight.Release();
        }

        var ok = status is >= 200 and < 300;
        lock (state.Sync)
        {
            Attempts.Add(new WebhookAttempt(d.Subscription.Id, d.Topic, d.EventId, d.Subscription.CallbackUrl, d.Attempt, status, error, state.Clock.GetUtcNow()));
            d.Subscription.ConsecutiveFailures = ok ? 0 : d.Subscription.ConsecutiveFailures + 1;
        }

        if (ok || d.Attempt >= Backoff.Length)
        {
            if (!ok)
            {
                logger.LogWarning("Webhook {Topic} to {Url} given up after {Retries} retries", d.Topic, d.Subscription.CallbackUrl, Backoff.Length);
            }

            return;
        }

        var wait = TimeSpan.FromTicks((long)(Backoff[d.Attempt].Ticks * state.Shopify.Webhooks.RetryScale));
        _ = Task.Run(async () =>
        {
            await Task.Delay(wait, ct);
            await DeliverAsync(d with { Attempt = d.Attempt + 1 }, ct);
        }, ct);
    }
}
