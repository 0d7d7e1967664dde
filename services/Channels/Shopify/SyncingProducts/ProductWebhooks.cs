using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Shopify.Connecting;

using Rakuten.Platform.Channels.Shopify.SyncingStock;

namespace Rakuten.Platform.Channels.Shopify.SyncingProducts;

/// <summary><c>POST /channels/shopify/webhooks/{connectionId}</c>: the signature is checked on the raw body before
/// anything is parsed (bad → 401, nothing stored); the delivery is stored before the 200 and recognised by
/// X-Shopify-Event-Id when Shopify sends it again; processing happens after, in <see cref="WebhookProcessor"/>.</summary>
public static class ProductWebhooks
{
    public static IEndpointRouteBuilder MapShopifyWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/channels/shopify/webhooks/{connectionId:guid}", async (Guid connectionId, HttpRequest request, ShopifyDbContext db,
            ConnectionSecrets secrets, WebhookProcessor processor, TimeProvider clock, CancellationToken ct) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            var raw = buffer.ToArray();
            var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == connectionId && c.RemovedAt == null, ct);
            if (connection is null)
            {
                return Results.NotFound();
            }

            var secret = secrets.Unprotect<ShopifyCredentials>(connection.ProtectedCredentials).WebhookSecret;
            if (!Verify(raw, request.Headers["X-Shopify-Hmac-Sha256"].ToString(), secret))
            {
                return Results.Unauthorized();
            }

            var eventId = request.Headers["X-Shopify-Event-Id"].ToString();
            var topic = request.Headers["X-Shopify-Topic"].ToString();
            if (eventId.Length == 0 || topic.Length == 0)
            {
                return Results.BadRequest(new { errors = new[] { "X-Shopify-Event-Id and X-Shopify-Topic are required" } });
            }

            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                EventId = eventId,
                ConnectionId = connectionId,
                Topic = topic,
                TriggeredAt = DateTimeOffset.TryParse(request.Headers["X-Shopify-Triggered-At"].ToString(), System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime() : null,
                Body = Encoding.UTF8.GetString(raw),
                ReceivedAt = clock.GetUtcNow(),
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex, "webhook_deliveries"))
            {
                return Results.Ok(new { duplicate = true }); // the same event again: already stored
            }

            processor.Wake();
            return Results.Ok();
        }).WithTags("Shopify webhooks");
        return app;
    }

    /// <summary>base64(HMAC-SHA256(webhook secret, raw body)), compared in constant time.</summary>
    public static bool Verify(byte[] body, string header, string secret)
    {
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        byte[] given;
        try
        {
            given = Convert.FromBase64String(header);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}

/// <summary>Processes stored webhook deliveries in arrival order, each in its own transaction with its mark;
/// one it cannot read is marked with the error (visible in the table) and does not block the others.</summary>
public sealed class WebhookProcessor(
    IServiceScopeFactory scopes, ShopifyAdminClient admin, TimeProvider clock, IConfiguration configuration, ILogger<WebhookProcessor> logger)
    : BackgroundService
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ProcessPendingAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Webhook processing failed; retrying");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await _wake.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The sweep: pick up anything a wake-up missed.
            }
        }
    }

    public async Task<int> ProcessPendingAsync(CancellationToken ct)
    {
        var processed = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
            var batch = await db.WebhookDeliveries.Where(d => d.ProcessedAt == null).OrderBy(d => d.ReceivedAt).Take(100).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return processed;
            }

            var currency = configuration["Platform:Shopify:Currency"] ?? "JPY";
            foreach (var delivery in batch)
            {
                var connection = await db.Connections.FirstAsync(c => c.Id == delivery.ConnectionId, ct);
                try
                {
                    await ApplyAsync(db, scope.ServiceProvider.GetRequiredService<ConnectionSecrets>(), connection, delivery, currency, ct);
                }
                catch (Exception ex) when (ex is FormatException or InvalidOperationException or System.Text.Json.JsonException or NullReferenceException)
                {
                    logger.LogWarning("Shopify webhook {Event} ({Topic}) could not be read: {Error}", delivery.EventId, delivery.Topic, ex.Message);
                    delivery.Error = $"{ex.GetType().Name}: {ex.Message}";
                }

                delivery.ProcessedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(ct);
                processed++;
            }
        }
    }

    private async Task ApplyAsync(ShopifyDbContext db, ConnectionSecrets secrets, ConnectionRecord connection, WebhookDelivery delivery, string currency, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        switch (delivery.Topic)
        {
            case "products/create" or "products/update":
            {
                var product = ShopifyProduct.FromWebhook(JsonNode.Parse(delivery.Body)!.AsObject());
                if (!await ProductSync.StageAsync(db, connection, product, product.ExternalId, product.UpdatedAt, currency, now, ct))
                {
                    logger.LogInformation("Stale {Topic} for product {Product} ignored (event {Event})", delivery.Topic, product.ExternalId, delivery.EventId);
                }

                break;
            }

            case "products/delete":
            {
                var id = JsonNode.Parse(delivery.Body)!["id"]!.ToJsonString().Trim('"');
                // A deletion carries no updated_at: it is as new as the moment Shopify triggered it.
                await ProductSync.StageAsync(db, connection, null, id, delivery.TriggeredAt ?? delivery.ReceivedAt, currency, now, ct);
                break;
            }

            case "inventory_levels/update":
            {
                var (item, location, available, updatedAt) = StockSync.ParseWebhook(JsonNode.Parse(delivery.Body)!.AsObject());
                var known = await db.StockLevels.AsNoTracking().FirstOrDefaultAsync(l => l.ConnectionId == connection.Id && l.InventoryItemId == item && l.LocationId == location, ct);
                switch (StockSync.Decide(known, available, updatedAt))
                {
                    case StockVerdict.Accept:
                        await StockSync.StageAsync(db, connection, item, location, available, updatedAt, now, ct);
                        break;
                    case StockVerdict.Ambiguous:
                        // Two changes within one second: which came last is Shopify's to say.
                        var credentials = secrets.Unprotect<Connecting.ShopifyCredentials>(connection.ProtectedCredentials);
                        if (await admin.AvailableAsync(connection, credentials, item, location, ct) is { } current)
                        {
                            await StockSync.StageAsync(db, connection, item, location, current, null, now, ct);
                        }

                        break;
                    default:
                        logger.LogInformation("Stale {Topic} for item {Item} at {Location} ignored (event {Event})", delivery.Topic, item, location, delivery.EventId);
                        break;
                }

                break;
            }

            default:
                logger.LogDebug("Webhook topic {Topic} is not handled yet", delivery.Topic);
                break;
        }
    }
}
