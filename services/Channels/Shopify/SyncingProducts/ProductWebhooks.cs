using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Connections;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Shopify.Connecting;

using Rakuten.Platform.Channels.Shopify.SyncingStock;

namespace Rakuten.Platform.Channels.Shopify.SyncingProducts;

/// <summary><c>POST /channels/shopify/webhooks/{connectionId}</c>: the signature is checked on the raw body before
/// anything is parsed (bad → 401, nothing stored); the delivery is stored before the 200 (with the others arriving at
/// the same time, <see cref="WebhookReceipts"/>) and recognised by X-Shopify-Event-Id when Shopify sends it again;
/// processing happens after, in <see cref="WebhookProcessor"/>.</summary>
public static class ProductWebhooks
{
    public static IEndpointRouteBuilder MapShopifyWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/channels/shopify/webhooks/{connectionId:guid}", async (Guid connectionId, HttpRequest request, WebhookSecrets secrets,
            WebhookReceipts receipts, WebhookProcessor processor, TimeProvider clock, CancellationToken ct) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            var raw = buffer.ToArray();
            var signature = request.Headers["X-Shopify-Hmac-Sha256"].ToString();
            var secret = await secrets.GetAsync(connectionId, fresh: false, ct);
            if (secret is null || !Verify(raw, signature, secret))
            {
                secret = await secrets.GetAsync(connectionId, fresh: true, ct); // created or rotated since it was remembered?
            }

            if (secret is null)
            {
                return Results.NotFound();
            }

            if (!Verify(raw, signature, secret))
            {
                return Results.Unauthorized();
            }

            var eventId = request.Headers["X-Shopify-Event-Id"].ToString();
            var topic = request.Headers["X-Shopify-Topic"].ToString();
            if (eventId.Length == 0 || topic.Length == 0)
            {
                return Results.BadRequest(new { errors = new[] { "X-Shopify-Event-Id and X-Shopify-Topic are required" } });
            }

            var stored = await receipts.StoreAsync(new WebhookDelivery
            {
                EventId = eventId,
                ConnectionId = connectionId,
                Topic = topic,
                TriggeredAt = DateTimeOffset.TryParse(request.Headers["X-Shopify-Triggered-At"].ToString(), System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime() : null,
                Body = Encoding.UTF8.GetString(raw),
                ReceivedAt = clock.GetUtcNow(),
            });
            if (!stored)
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
    private readonly WakeSignal _wake = new();

    public void Wake() => _wake.Pulse();

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

            // Woken by each stored delivery; the 5-second sweep picks up anything a wake-up missed.
            await _wake.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
        }
    }

    public async Task<int> ProcessPendingAsync(CancellationToken ct)
    {
        var processed = 0;
        while (true)
        {
            List<string> ids;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
                var batch = await db.WebhookDeliveries.Where(d => d.ProcessedAt == null).OrderBy(d => d.ReceivedAt).Take(100).ToListAsync(ct);
                if (batch.Count == 0)
                {
                    return processed;
                }

                // A batch commits once (a commit per delivery capped the rate near 150/s on two cores).
                await ApplyAllAsync(scope, db, batch, ct);
                try
                {
                    await db.SaveChangesAsync(ct);
                    processed += batch.Count;
                    continue;
                }
                catch (DbUpdateException ex)
                {
                    logger.LogWarning(ex, "A batch of {Count} Shopify webhooks could not be saved together; processing them one by one", batch.Count);
                    ids = batch.Select(d => d.EventId).ToList();
                }
            }

            // One by one, each with its own commit: whatever failed the batch stays with its delivery, the others go through.
            foreach (var id in ids)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
                var delivery = await db.WebhookDeliveries.FirstAsync(d => d.EventId == id, ct);
                await ApplyAllAsync(scope, db, [delivery], ct);
                await db.SaveChangesAsync(ct);
                processed++;
            }
        }
    }

    private async Task ApplyAllAsync(AsyncServiceScope scope, ShopifyDbContext db, IReadOnlyList<WebhookDelivery> deliveries, CancellationToken ct)
    {
        var currency = configuration["Platform:Shopify:Currency"] ?? "JPY";
        var secrets = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>();
        var connectionIds = deliveries.Select(d => d.ConnectionId).Distinct().ToList();
        var connections = await db.Connections.Where(c => connectionIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        // The rows a batch of stock deliveries touches, in two queries rather than two per delivery: under load
        // each round trip waits for the CPU, and a delivery at a time could not keep up with 100 changes a second.
        var items = deliveries.Where(d => d.Topic == "inventory_levels/update")
            .Select(d => JsonNode.Parse(d.Body)?["inventory_item_id"]?.ToJsonString().Trim('"')).OfType<string>().Distinct().ToList();
        if (items.Count > 0)
        {
            await db.StockLevels.Where(l => connectionIds.Contains(l.ConnectionId) && items.Contains(l.InventoryItemId)).LoadAsync(ct);
            await db.InventoryItemSkus.Where(i => connectionIds.Contains(i.ConnectionId) && items.Contains(i.InventoryItemId)).LoadAsync(ct);
        }

        // Each lookup of this unit of work's own rows (DbSet.Local) would otherwise detect changes over every tracked
        // row first: quadratic in the batch (100 stock deliveries took 3-5 s to apply at 100 changes/s). The save detects them once.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var delivery in deliveries)
            {
                await ApplyOneAsync(db, secrets, connections[delivery.ConnectionId], delivery, currency, ct);
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = true;
        }
    }

    private async Task ApplyOneAsync(ShopifyDbContext db, ConnectionSecrets secrets, ConnectionRecord connection, WebhookDelivery delivery, string currency, CancellationToken ct)
    {
        try
        {
            await ApplyAsync(db, secrets, connection, delivery, currency, ct);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or System.Text.Json.JsonException or NullReferenceException)
        {
            logger.LogWarning("Shopify webhook {Event} ({Topic}) could not be read: {Error}", delivery.EventId, delivery.Topic, ex.Message);
            delivery.Error = $"{ex.GetType().Name}: {ex.Message}";
        }

        delivery.ProcessedAt = clock.GetUtcNow();
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
                // updated_at has whole seconds; X-Shopify-Triggered-At orders the events finely and is kept by retries
                // and duplicates (reference/shopify.md B.7), so it is the ordering key when Shopify sends it.
                if (delivery.TriggeredAt is { } triggered && triggered >= updatedAt)
                {
                    updatedAt = triggered;
                }

                var known = await StockSync.FindAsync(db, connection.Id, item, location, ct);
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

            case "fulfillments/create" or "fulfillments/update":
                await SyncingFulfillments.FulfillmentSync.StageAsync(db, connection, JsonNode.Parse(delivery.Body)!.AsObject(), delivery.TriggeredAt, now, ct);
                break;

            default:
                logger.LogDebug("Webhook topic {Topic} is not handled yet", delivery.Topic);
                break;
        }
    }
}
