using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.Connecting;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;
using Rakuten.Platform.Channels.Shopify.SyncingStock;

namespace Rakuten.Platform.Channels.Shopify.SyncingProducts;

/// <summary><c>POST /channels/shopify/webhooks/{connectionId}</c>, the one entry point proven by its signature rather than
/// an identity. In order, each step before any cost: header lengths (400), a connection this process knows (else the
/// same 401 as a bad signature, with no database read per request), the body within <see cref="MaxBodyBytes"/> (413),
/// the HMAC of the raw body (401), the shop domain of the connection (401). Ordering and staleness are decided from the
/// signed body only — never from the unsigned <c>X-Shopify-Triggered-At</c> — and a delivery whose signed timestamp is
/// older than <c>Platform:Shopify:WebhookFreshness</c> (15 min) is acknowledged and not applied: a replayed body cannot
/// pin an old state, and the hourly reconciliation reads what Shopify holds now. The delivery is stored before the 200
/// (with the others arriving at the same time, <see cref="WebhookReceipts"/>) and recognised by X-Shopify-Event-Id when
/// Shopify sends it again; processing happens after, in <see cref="WebhookProcessor"/>.</summary>
public static class ProductWebhooks
{
    /// <summary>Shopify publishes no limit for HTTPS deliveries and says bodies can be "upwards of a megabyte"; EventBridge
    /// deliveries are capped at 1,000,000 bytes (reference/shopify.md C.2). 4 MiB leaves room for a large product.</summary>
    public const long MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>The longest value accepted in a Shopify header (a topic, an event id, a domain, a timestamp, a signature).</summary>
    public const int MaxHeaderLength = 256;

    private static readonly string[] Headers =
        ["X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Event-Id", "X-Shopify-Shop-Domain", "X-Shopify-Triggered-At", "X-Shopify-Webhook-Id"];

    public static IEndpointRouteBuilder MapShopifyWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/channels/shopify/webhooks/{connectionId:guid}", async (Guid connectionId, HttpRequest request, WebhookSecrets secrets,
            WebhookReceipts receipts, WebhookProcessor processor, TimeProvider clock, IConfiguration configuration, ILoggerFactory logs, CancellationToken ct) =>
        {
            if (Headers.FirstOrDefault(h => request.Headers[h].ToString().Length > MaxHeaderLength) is { } tooLong)
            {
                return ApiErrors.Validation(new Dictionary<string, string[]> { [tooLong] = [$"must be at most {MaxHeaderLength} characters"] });
            }

            // Unknown and bad signature answer alike, so a caller cannot tell which connection ids exist.
            var unauthorized = ApiErrors.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", "The webhook's signature could not be verified.");
            if (!await secrets.KnowsAsync(connectionId, ct))
            {
                return unauthorized;
            }

            var raw = await ReadBodyAsync(request, ct);
            var signature = request.Headers["X-Shopify-Hmac-Sha256"].ToString();
            var connection = await secrets.VerifyAsync(connectionId, raw, signature, ct);
            if (connection is null)
            {
                return unauthorized;
            }

            // The domain header is not signed, but a delivery for another store is not this connection's, whatever it says.
            var domain = request.Headers["X-Shopify-Shop-Domain"].ToString();
            if (domain.Length > 0 && !domain.Equals(connection.Domain, StringComparison.OrdinalIgnoreCase))
            {
                return unauthorized;
            }

            // JSON never holds a raw NUL (an escaped \u0000 is another matter): such a body is malformed, and PostgreSQL
            // could not store it anyway.
            if (Array.IndexOf(raw, (byte)0) >= 0)
            {
                return ApiErrors.Validation(new Dictionary<string, string[]> { ["body"] = ["is not valid JSON (it holds a NUL byte)"] });
            }

            var eventId = request.Headers["X-Shopify-Event-Id"].ToString();
            var topic = request.Headers["X-Shopify-Topic"].ToString();
            if (eventId.Length == 0 || topic.Length == 0)
            {
                return ApiErrors.Validation(["X-Shopify-Event-Id and X-Shopify-Topic are required"]);
            }

            var body = Encoding.UTF8.GetString(raw);
            var freshness = configuration.GetValue("Platform:Shopify:WebhookFreshness", TimeSpan.FromMinutes(15));
            // Freshness is about the real world (when Shopify signed it, when it reaches us): the wall clock, not the
            // platform's business clock, which tests move by days.
            if (SignedAt(topic, body) is { } signedAt && DateTimeOffset.UtcNow - signedAt > freshness)
            {
                logs.CreateLogger("Rakuten.Platform.Channels.Shopify.Webhooks").LogInformation(
                    "Shopify {Topic} for connection {Connection} signed at {SignedAt:O} is older than {Freshness}: not applied (event {Event})",
                    topic, connectionId, signedAt, freshness, eventId);
                return Results.Ok(new WebhookReceived("ignored", $"older than the {freshness.TotalMinutes:0}-minute freshness window; the reconciliation reads the current state"));
            }

            var stored = await receipts.StoreAsync(new WebhookDelivery
            {
                EventId = eventId,
                ConnectionId = connectionId,
                Topic = topic,
                // Kept as Shopify sent it, for people reading the table; never used to order anything (it is not signed).
                TriggeredAt = DateTimeOffset.TryParse(request.Headers["X-Shopify-Triggered-At"].ToString(), System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime() : null,
                Body = body,
                ReceivedAt = clock.GetUtcNow(),
                TraceParent = Traces.Current,
            });
            if (!stored)
            {
                return Results.Ok(new WebhookReceived("duplicate", "this event is already stored")); // the same event again
            }

            processor.Wake();
            return Results.Ok(new WebhookReceived("stored"));
        }).AllowAnonymous().WithBodyLimit(MaxBodyBytes).WithTags("Shopify webhooks").Produces<WebhookReceived>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            // The body is read raw (its HMAC is over the bytes) and any content type is taken, as Shopify's are: described here
            // rather than declared with Accepts, which would make routing refuse other content types.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Description = "Shopify's webhook payload for the topic in X-Shopify-Topic, signed in X-Shopify-Hmac-Sha256.",
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
                    },
                };
                return Task.CompletedTask;
            });
        return app;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct); // Kestrel stops it at the endpoint's body limit (413)
        return buffer.ToArray();
    }

    /// <summary>The signed timestamp of a delivery, where its topic has one: <c>updated_at</c> in the body of products,
    /// inventory levels (optional there) and fulfilments. Null when the body has none or is not JSON (the processor then
    /// asks Shopify, or records the error).</summary>
    public static DateTimeOffset? SignedAt(string topic, string body)
    {
        if (topic is not ("products/create" or "products/update" or "inventory_levels/update" or "fulfillments/create" or "fulfillments/update"))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body) is JsonObject json && json["updated_at"] is JsonValue value && value.TryGetValue<string>(out var text)
                   && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
                ? at.ToUniversalTime()
                : null;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            return null; // not a readable body: stored, and marked failed by the processor
        }
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
    IServiceScopeFactory scopes, ShopifyAdminClient admin, ShopCurrency currencies, TimeProvider clock, ILogger<WebhookProcessor> logger)
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

                // A batch commits once (a commit per delivery capped the rate near 150/s on two cores). Its events
                // continue the webhook's trace, or, for a batch of several, a trace linked to each (saved inside it:
                // the outbox rows take the trace current when they are written).
                using var span = Traces.StartForMany("shopify webhooks applied", batch.Select(d => d.TraceParent));
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
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
                    var delivery = await db.WebhookDeliveries.FirstAsync(d => d.EventId == id, ct);
                    using var span = Traces.Continue(delivery.TraceParent, "shopify webhook applied");
                    await ApplyAllAsync(scope, db, [delivery], ct);
                    try
                    {
                        await db.SaveChangesAsync(ct);
                        processed++;
                        continue;
                    }
                    catch (DbUpdateException ex)
                    {
                        // What this delivery staged cannot be stored (a value PostgreSQL refuses): it is marked failed, without
                        // its effects, so that it neither blocks the deliveries after it nor is tried for ever.
                        logger.LogWarning(ex, "Shopify webhook {Event} could not be applied; marked failed", id);
                    }
                }

                await MarkFailedAsync(id, "its effects could not be stored", ct);
                processed++;
            }
        }
    }

    private async Task MarkFailedAsync(string eventId, string reason, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
        await db.WebhookDeliveries.Where(d => d.EventId == eventId)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.ProcessedAt, clock.GetUtcNow()).SetProperty(d => d.Error, reason), ct);
    }

    /// <summary>The inventory item a stock delivery names, or null when its body is not one (it fails on its own later).</summary>
    private static string? ItemOf(WebhookDelivery delivery)
    {
        try
        {
            return JsonNode.Parse(delivery.Body) is JsonObject body ? body["inventory_item_id"]?.ToJsonString().Trim('"') : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private async Task ApplyAllAsync(AsyncServiceScope scope, ShopifyDbContext db, IReadOnlyList<WebhookDelivery> deliveries, CancellationToken ct)
    {
        var secrets = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>();
        var connectionIds = deliveries.Select(d => d.ConnectionId).Distinct().ToList();
        var connections = await db.Connections.Where(c => connectionIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        // The rows a batch of stock deliveries touches, in two queries rather than two per delivery: under load
        // each round trip waits for the CPU, and a delivery at a time could not keep up with 100 changes a second.
        var items = deliveries.Where(d => d.Topic == "inventory_levels/update").Select(ItemOf).OfType<string>().Distinct().ToList();
        if (items.Count > 0)
        {
            await db.StockLevels.Where(l => connectionIds.Contains(l.ConnectionId) && items.Contains(l.InventoryItemId)).LoadAsync(ct);
            await db.InventoryItemSkus.Where(i => connectionIds.Contains(i.ConnectionId) && items.Contains(i.InventoryItemId)).LoadAsync(ct);
        }

        // Each lookup of this unit of work's own rows (DbSet.Local) would otherwise detect changes over every tracked
        // row first: quadratic in the batch (100 stock deliveries took 3-5 s to apply at 100 changes/s). The save detects them once.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var doubts = new HashSet<(Guid Connection, string Item, string Location)>();
        try
        {
            foreach (var delivery in deliveries)
            {
                await ApplyOneAsync(db, secrets, connections[delivery.ConnectionId], delivery, doubts, ct);
            }

            await ResolveDoubtsAsync(db, secrets, connections, doubts, ct);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = true;
        }
    }

    /// <summary>Stock levels whose order the signed data could not tell (two quantities within one second of Shopify's
    /// updated_at, or no updated_at at all) are read from Shopify once per item for the whole batch — after every
    /// delivery of the batch, so the answer is at least as new as any of them. If Shopify cannot answer, they wait for
    /// the next change or the hourly reconciliation; the batch goes on.</summary>
    private async Task ResolveDoubtsAsync(ShopifyDbContext db, ConnectionSecrets secrets, Dictionary<Guid, ConnectionRecord> connections,
        HashSet<(Guid Connection, string Item, string Location)> doubts, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var group in doubts.GroupBy(d => d.Connection))
        {
            var connection = connections[group.Key];
            Dictionary<(string Item, string Location), int> levels;
            try
            {
                levels = await admin.LevelsAsync(connection, secrets.Unprotect<Connecting.ShopifyCredentials>(connection.ProtectedCredentials),
                    group.Select(d => d.Item).ToList(), ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                logger.LogWarning("Shopify could not be asked for {Count} stock level(s) of connection {Connection} ({Error}); the next change or the reconciliation sets them",
                    group.Count(), connection.Id, ex.Message);
                continue;
            }

            foreach (var (_, item, location) in group)
            {
                if (levels.TryGetValue((item, location), out var current))
                {
                    await StockSync.StageAsync(db, connection, item, location, current, null, now, ct);
                }
            }
        }
    }

    private async Task ApplyOneAsync(ShopifyDbContext db, ConnectionSecrets secrets, ConnectionRecord connection, WebhookDelivery delivery,
        HashSet<(Guid, string, string)> doubts, CancellationToken ct)
    {
        try
        {
            await ApplyAsync(db, secrets, connection, delivery, doubts, ct);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or System.Data.Common.DbException or HttpRequestException))
        {
            // A body it cannot read (not JSON, a missing or mistyped field, a number out of range) is this delivery's own
            // failure: recorded on it, where it can be seen, and the batch goes on. The database or Shopify being away is
            // not: that stops the batch, which is tried again whole.
            logger.LogWarning("Shopify webhook {Event} ({Topic}) could not be read: {Error}", delivery.EventId, delivery.Topic, ex.Message);
            delivery.Error = $"{ex.GetType().Name}: {ex.Message}";
        }

        delivery.ProcessedAt = clock.GetUtcNow();
    }

    private async Task ApplyAsync(ShopifyDbContext db, ConnectionSecrets secrets, ConnectionRecord connection, WebhookDelivery delivery,
        HashSet<(Guid, string, string)> doubts, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        switch (delivery.Topic)
        {
            case "products/create" or "products/update":
            {
                var product = ShopifyProduct.FromWebhook(JsonNode.Parse(delivery.Body)!.AsObject());
                // Kept since the last import; Shopify is asked only for a store never imported (an HttpRequestException retries the batch).
                var currency = await currencies.OfAsync(connection, secrets.Unprotect<ShopifyCredentials>(connection.ProtectedCredentials), refresh: false, ct);
                if (!await ProductSync.StageAsync(db, connection, product, product.ExternalId, product.UpdatedAt, currency, now, ct))
                {
                    logger.LogInformation("Stale {Topic} for product {Product} ignored (event {Event})", delivery.Topic, product.ExternalId, delivery.EventId);
                }

                break;
            }

            case "products/delete":
            {
                var id = JsonNode.Parse(delivery.Body)!["id"]!.ToJsonString().Trim('"');
                // A deletion carries no signed time, so a replayed one could not be told from a real one: Shopify is asked
                // whether the product is gone, and only then is it deleted, as of the moment that answer was read.
                var credentials = secrets.Unprotect<Connecting.ShopifyCredentials>(connection.ProtectedCredentials);
                bool exists;
                try
                {
                    exists = await admin.ProductExistsAsync(connection, credentials, id, ct);
                }
                catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    // Not confirmed: the hourly reconciliation finds the product gone (or not) by itself.
                    logger.LogWarning("products/delete for product {Product} not applied: Shopify could not confirm it ({Error})", id, ex.Message);
                    break;
                }

                if (exists)
                {
                    logger.LogInformation("products/delete for product {Product} ignored: Shopify still has it (event {Event})", id, delivery.EventId);
                    break;
                }

                // A deletion carries no prices: ISO 4217's "no currency".
                await ProductSync.StageAsync(db, connection, null, id, clock.GetUtcNow(), "XXX", now, ct);
                break;
            }

            case "inventory_levels/update":
            {
                var (item, location, available, signedAt) = StockSync.ParseWebhook(JsonNode.Parse(delivery.Body)!.AsObject());
                // Ordered by the body's own updated_at, the only time Shopify signs (X-Shopify-Triggered-At is not signed: a
                // replay with a forged one could pin an old quantity). Without it, the order cannot be told: ask Shopify.
                var known = await StockSync.FindAsync(db, connection.Id, item, location, ct);
                switch (signedAt is { } updatedAt && available is { } quantity ? StockSync.Decide(known, quantity, updatedAt) : StockVerdict.Ambiguous)
                {
                    case StockVerdict.Accept:
                        await StockSync.StageAsync(db, connection, item, location, available!.Value, signedAt!.Value, now, ct);
                        break;
                    case StockVerdict.Ambiguous:
                        // Which came last is Shopify's to say: asked once for the batch (ResolveDoubtsAsync).
                        doubts.Add((connection.Id, item, location));
                        break;
                    default:
                        logger.LogInformation("Stale {Topic} for item {Item} at {Location} ignored (event {Event})", delivery.Topic, item, location, delivery.EventId);
                        break;
                }

                break;
            }

            case "fulfillments/create" or "fulfillments/update":
                await SyncingFulfillments.FulfillmentSync.StageAsync(db, connection, JsonNode.Parse(delivery.Body)!.AsObject(), delivery.ReceivedAt, now, ct);
                break;

            default:
                logger.LogDebug("Webhook topic {Topic} is not handled yet", delivery.Topic);
                break;
        }
    }
}

/// <summary>Shopify's delivery taken (200, so Shopify does not send it again): <c>stored</c> for processing, a
/// <c>duplicate</c> of one already stored, or <c>ignored</c> as too old — with why.</summary>
public sealed record WebhookReceived(string Outcome, string? Reason = null);
