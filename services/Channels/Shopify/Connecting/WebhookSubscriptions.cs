using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;

namespace Rakuten.Platform.Channels.Shopify.Connecting;

/// <summary>One webhook subscription the platform keeps in a Shopify store, as last seen there.</summary>
public sealed class WebhookSubscriptionRow
{
    public required Guid ConnectionId { get; init; }

    public required string Topic { get; init; }

    public string? SubscriptionId { get; set; }

    public required string CallbackUrl { get; set; }

    /// <summary>Why it is not registered (Shopify's userError, or the address the platform lacks); null when it is.</summary>
    public string? Error { get; set; }

    public required DateTimeOffset CheckedAt { get; set; }
}

/// <summary>The platform's webhook subscriptions in each connected store (issue 21): registered through the Admin API
/// (<c>webhookSubscriptionCreate</c>) when the connection is added, checked every <c>Platform:Shopify:WebhookCheckInterval</c>
/// (1 h) and repaired — Shopify drops a subscription after 8 failed deliveries, and a merchant may delete one — and deleted
/// when the connection is removed. Shopify's list is the truth: create is not idempotent (a second identical one is
/// "already taken"), so the list is read first and only what is missing is created.</summary>
public sealed class WebhookSubscriptions(
    IServiceScopeFactory scopes, ShopifyAdminClient shopify, IServer server, TimeProvider clock, IConfiguration configuration, ILogger<WebhookSubscriptions> logger)
    : BackgroundService, IConnectionAdded<ShopifyDbContext>
{
    /// <summary>The topics the platform handles (ProductWebhooks), as Shopify's enum names them.</summary>
    public static readonly IReadOnlyList<string> Topics =
        ["PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE", "INVENTORY_LEVELS_UPDATE", "FULFILLMENTS_CREATE", "FULFILLMENTS_UPDATE"];

    private const string List = """
        query Subscriptions($after: String) {
          webhookSubscriptions(first: 100, after: $after) { nodes { id topic uri endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } } pageInfo { hasNextPage endCursor } }
        }
        """;

    private const string Create = """
        mutation Subscribe($topic: WebhookSubscriptionTopic!, $subscription: WebhookSubscriptionInput!) {
          webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) { webhookSubscription { id topic } userErrors { field message } }
        }
        """;

    private const string Delete = """
        mutation Unsubscribe($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }
        """;

    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>();
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _running = new();

    private TimeSpan CheckInterval => configuration.GetValue("Platform:Shopify:WebhookCheckInterval", TimeSpan.FromHours(1));

    public void Added(ConnectionRecord connection) => _queue.Writer.TryWrite(connection.Id);

    public void Removed(ConnectionRecord connection) => _queue.Writer.TryWrite(connection.Id);

    /// <summary>Where Shopify sends a connection's deliveries: <c>Platform:Shopify:WebhookBaseUrl</c> (the platform's public
    /// HTTPS address), else this process's own address — right for the embedded demo and the Sandbox; a real store refuses
    /// an internal address, and the refusal is shown on the connection.</summary>
    public string? CallbackUrl(Guid connectionId)
    {
        var configured = configuration["Platform:Shopify:WebhookBaseUrl"];
        var own = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()?
            .Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1").Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1");
        var baseUrl = string.IsNullOrWhiteSpace(configured) ? own : configured;
        return baseUrl is null ? null : $"{baseUrl.TrimEnd('/')}/channels/shopify/webhooks/{connectionId}";
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(RunQueueAsync(stoppingToken), ScheduleAsync(stoppingToken));

    private async Task ScheduleAsync(CancellationToken stoppingToken)
    {
        if (CheckInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(CheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
                // Live connections to check, and removed ones whose subscriptions are still there to delete.
                var removedWithSubscriptions = db.WebhookSubscriptions.Where(w => w.SubscriptionId != null).Select(w => w.ConnectionId);
                foreach (var id in await db.Connections.AsNoTracking().Where(c => c.RemovedAt == null || removedWithSubscriptions.Contains(c.Id)).Select(c => c.Id).ToListAsync(stoppingToken))
                {
                    _queue.Writer.TryWrite(id);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not schedule the webhook subscription check; next try in {Interval}", CheckInterval);
            }
        }
    }

    private async Task RunQueueAsync(CancellationToken stoppingToken)
    {
        await foreach (var connectionId in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await EnsureAsync(connectionId, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Webhook subscriptions of Shopify connection {Connection} could not be checked; the next check repairs them", connectionId);
            }
        }
    }

    /// <summary>Brings the store's subscriptions for this connection to what the platform needs (none, once removed).
    /// Answers each topic's state as recorded.</summary>
    public async Task<IReadOnlyList<WebhookSubscriptionRow>> EnsureAsync(Guid connectionId, CancellationToken ct)
    {
        var gate = _running.GetOrAdd(connectionId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
            var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == connectionId, ct);
            if (connection is null || (connection.RemovedAt is null && connection.FlowsPaused))
            {
                return []; // a paused connection's token is refused: the check after its credentials are fixed repairs them
            }

            var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<ShopifyCredentials>(connection.ProtectedCredentials);
            var callback = CallbackUrl(connectionId);
            var present = await ListAsync(connection, credentials, ct);
            var rows = await db.WebhookSubscriptions.Where(w => w.ConnectionId == connectionId).ToDictionaryAsync(w => w.Topic, ct);
            var now = clock.GetUtcNow();
            if (connection.RemovedAt is not null)
            {
                foreach (var (id, _, _) in present.Where(p => p.Url == callback))
                {
                    await shopify.GraphQlAsync(connection, credentials, Delete, new { id }, ct);
                }

                db.WebhookSubscriptions.RemoveRange(rows.Values);
                await db.SaveChangesAsync(ct);
                logger.LogInformation("Shopify connection {Connection} removed: its webhook subscriptions are deleted", connectionId);
                return [];
            }

            foreach (var topic in Topics)
            {
                if (!rows.TryGetValue(topic, out var row))
                {
                    row = new WebhookSubscriptionRow { ConnectionId = connectionId, Topic = topic, CallbackUrl = callback ?? "", CheckedAt = now };
                    db.WebhookSubscriptions.Add(row);
                }

                (row.CallbackUrl, row.CheckedAt) = (callback ?? "", now);
                if (callback is null)
                {
                    (row.SubscriptionId, row.Error) = (null, "The platform does not know its own address yet: set Platform:Shopify:WebhookBaseUrl to its public HTTPS address.");
                    continue;
                }

                if (present.FirstOrDefault(p => p.Topic == topic && p.Url == callback) is { Id: not null } existing)
                {
                    (row.SubscriptionId, row.Error) = (existing.Id, null);
                    continue;
                }

                var answer = await shopify.GraphQlAsync(connection, credentials, Create, new { topic, subscription = new { uri = callback, format = "JSON" } }, ct);
                var created = answer["data"]?["webhookSubscriptionCreate"];
                var errors = (created?["userErrors"] as JsonArray ?? []).Select(e => e?["message"]?.GetValue<string>()).OfType<string>().ToList();
                if (answer["errors"] is JsonArray { Count: > 0 } top)
                {
                    errors.AddRange(top.Select(e => e?["message"]?.GetValue<string>()).OfType<string>());
                }

                (row.SubscriptionId, row.Error) = (created?["webhookSubscription"]?["id"]?.GetValue<string>(), errors.Count == 0 ? null : $"Shopify refused the subscription: {string.Join("; ", errors)}");
                if (row.Error is not null)
                {
                    logger.LogWarning("Shopify refused the {Topic} subscription of connection {Connection}: {Error}", topic, connectionId, row.Error);
                }
            }

            await db.SaveChangesAsync(ct);
            return rows.Values.Concat(db.WebhookSubscriptions.Local.Where(w => w.ConnectionId == connectionId && !rows.ContainsKey(w.Topic))).OrderBy(w => w.Topic).ToList();
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<List<(string? Id, string? Topic, string? Url)>> ListAsync(ConnectionRecord connection, ShopifyCredentials credentials, CancellationToken ct)
    {
        var found = new List<(string?, string?, string?)>();
        string? after = null;
        do
        {
            var page = (await shopify.GraphQlAsync(connection, credentials, List, new { after }, ct))["data"]?["webhookSubscriptions"];
            found.AddRange((page?["nodes"] as JsonArray ?? []).OfType<JsonObject>().Select(n => (n["id"]?.GetValue<string>(), n["topic"]?.GetValue<string>(),
                (n["uri"] ?? n["endpoint"]?["callbackUrl"])?.GetValue<string>())));
            after = page?["pageInfo"]?["hasNextPage"]?.GetValue<bool>() == true ? page["pageInfo"]!["endCursor"]?.GetValue<string>() : null;
        }
        while (after is not null);
        return found;
    }
}
