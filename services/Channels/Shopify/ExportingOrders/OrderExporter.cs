using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.Connecting;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;
using Rakuten.Platform.Channels.Shopify.SyncingStock;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Inventory;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.Shopify.ExportingOrders;

/// <summary>Work on the store's orders that must never run beside an export of the same order — the cancellations,
/// which look at the export's state — run by the exporter's loop before each round. The exporter knows it only by this,
/// so that cancelling depends on exporting and not the other way round.</summary>
public interface IRunsBetweenExports
{
    Task RunDueAsync(CancellationToken ct);
}

/// <summary>Creates the Shopify order of each recorded intent, exactly once: the intent is marked Attempted and
/// committed before orderCreate is called, and an Attempted intent is first looked up by its tag — after a crash in
/// the middle of the call the order is found, not created again. orderCreate decrements Shopify stock itself
/// (DECREMENT_IGNORING_POLICY), so the stock drops exactly as often as the order is created. A development store's
/// per-minute order limit is met by waiting, not by failing; any other refusal holds the order with Shopify's errors.</summary>
public sealed class OrderExporter(
    IServiceScopeFactory scopes, ShopifyAdminClient shopify, IEnumerable<IRunsBetweenExports> between, TimeProvider clock, IConfiguration configuration, ILogger<OrderExporter> logger) : BackgroundService
{
    private const string CreateOrder = """
        mutation Create($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
          orderCreate(order: $order, options: $options) { order { id name tags } userErrors { field message code } }
        }
        """;

    private const string OrdersByTag = """
        query Find($query: String!) { orders(first: 1, query: $query) { nodes { id name tags } } }
        """;

    /// <summary>The variant of a SKU (also for the order editor's added lines).</summary>
    internal const string VariantBySku = """
        query Variant($query: String!) { productVariants(first: 1, query: $query) { nodes { id sku } } }
        """;

    private readonly WakeSignal _wake = new();

    private readonly SemaphoreSlim _round = new(1, 1);

    /// <summary>Intents claimed and answered per commit.</summary>
    private const int ChunkSize = 50;

    // Calls in flight at once. Each waits mostly on Shopify (the GraphQL cost bucket paces them per store); with 4 the
    // exporter was the stage the orders benchmark waited for at the end (2,600 intents due), with 12 it kept up.
    private int Workers => Math.Max(1, configuration.GetValue("Platform:Shopify:ExportWorkers", 12));

    private TimeSpan RateLimitWait => configuration.GetValue("Platform:Shopify:OrderRateLimitWait", TimeSpan.FromSeconds(15));

    public void Wake() => _wake.Pulse();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var work in between)
                {
                    await work.RunDueAsync(stoppingToken);
                }

                await ExportDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Shopify order export round failed; retrying");
            }

            await _wake.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken);
        }
    }

    /// <summary>Works through every intent that is due, a chunk at a time; returns how many Shopify orders now exist for them.
    /// One round at a time across replicas (an advisory lock held for the round, on its own connection) and in this
    /// process: two exporters would both find an Attempted intent that the other is calling for, look it up by its tag
    /// before Shopify answers, and create it again. A crash ends the round and frees the lock.</summary>
    public async Task<int> ExportDueAsync(CancellationToken ct)
    {
        await _round.WaitAsync(ct);
        try
        {
            await using var guardScope = scopes.CreateAsyncScope();
            var guard = guardScope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
            await using var held = await AdvisoryLock.HoldAsync(guard, "shopify-order-exports", ct);

            var created = 0;
            // Variant ids by SKU for this round: every order of a popular SKU need not ask Shopify again.
            var variants = new ConcurrentDictionary<(Guid, string), string?>();
            // Each intent once a round, whatever its answer made due. Only those an answer left due are kept: the list
            // goes into every claim's query, and holding every claimed intent made a long round's claims quadratic.
            var seen = new List<Guid>();
            while (true)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
                var chunk = await ClaimAsync(db, seen, ct);
                if (chunk.Count == 0)
                {
                    return created;
                }

                created += await ExportAsync(db, scope.ServiceProvider.GetRequiredService<ConnectionSecrets>(), chunk, variants, ct);
                var now = clock.GetUtcNow();
                seen.AddRange(chunk.Select(c => c.Export).Where(e => e.State is ExportState.Pending or ExportState.Attempted && e.NextAttemptAt <= now).Select(e => e.OrderId));
            }
        }
        finally
        {
            _round.Release();
        }
    }

    /// <summary>Takes up to <see cref="ChunkSize"/> due intents and marks them Attempted in one commit: the intent of
    /// each call is on disk before the call, and after a crash each is looked up by its tag before any new call.
    /// Returns each with whether it was Attempted before (a call of an earlier round may have reached Shopify).</summary>
    private async Task<List<(OrderExport Export, bool WasAttempted)>> ClaimAsync(ShopifyDbContext db, List<Guid> seen, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var active = await db.ActiveConnectionIdsAsync(ct);
        // A cancelled order is the canceller's: it decides whether a Shopify order exists to cancel.
        var due = await db.OrderExports.Where(e => (e.State == ExportState.Pending || e.State == ExportState.Attempted) && e.NextAttemptAt <= now
                                                   && active.Contains(e.ConnectionId) && !seen.Contains(e.OrderId) && !db.ShopifyCancellations.Any(c => c.OrderId == e.OrderId))
            .OrderBy(e => e.CreatedAt).Take(ChunkSize).ToListAsync(ct);
        var chunk = due.Select(e => (e, e.State == ExportState.Attempted)).ToList();
        foreach (var export in due)
        {
            export.State = ExportState.Attempted;
            export.Attempts++;
        }

        await db.SaveChangesAsync(ct);
        return chunk;
    }

    /// <summary>The chunk's calls, a few at a time (each waits mostly on Shopify; the GraphQL cost bucket still paces
    /// them per store), then every answer recorded in one commit. One order's trouble never blocks the others.</summary>
    private async Task<int> ExportAsync(ShopifyDbContext db, ConnectionSecrets secrets, List<(OrderExport Export, bool WasAttempted)> chunk,
        ConcurrentDictionary<(Guid, string), string?> variants, CancellationToken ct)
    {
        var ids = chunk.Select(c => c.Export.ConnectionId).Distinct().ToList();
        var connections = (await db.Connections.AsNoTracking().Where(c => ids.Contains(c.Id)).ToListAsync(ct))
            .ToDictionary(c => c.Id, c => (Connection: c, Credentials: secrets.Unprotect<ShopifyCredentials>(c.ProtectedCredentials)));
        var kits = configuration[KitDefinitions.Setting] == "kit" ? []
            : await KitDefinitions.ForAsync(db, chunk.Select(c => c.Export.TenantId).Distinct().ToList(), ct);
        var outcomes = new ConcurrentDictionary<Guid, Func<ShopifyDbContext, bool>>();
        var spans = new ConcurrentDictionary<Guid, string?>();
        await Parallel.ForEachAsync(chunk, new ParallelOptions { MaxDegreeOfParallelism = Workers, CancellationToken = ct }, async (item, ct) =>
        {
            var (export, wasAttempted) = item;
            var (connection, credentials) = connections[export.ConnectionId];
            using var span = Traces.Continue(export.TraceParent, "shopify order export");
            span?.SetTag("platform.order_id", export.OrderId);
            spans[export.OrderId] = span?.Id;
            try
            {
                outcomes[export.OrderId] = await CallAsync(connection, credentials, export, wasAttempted, variants, kits, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // It stays Attempted: it is looked up by its tag before any new call.
                outcomes[export.OrderId] = _ =>
                {
                    logger.LogWarning(ex, "Shopify order for {Channel} {Order} not confirmed; it is looked up by its tag before any new attempt", export.Channel, export.ChannelOrderId);
                    export.Error = ex.Message;
                    export.NextAttemptAt = clock.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(300, 5 * Math.Pow(2, Math.Min(export.Attempts - 1, 6))));
                    return false;
                };
            }
        });

        // The tracked entities are changed here, one thread, after every call has answered.
        var created = chunk.Count(c =>
        {
            // What the answer sends on (OrderExported, ShopifyRefused) continues the call's span.
            using var span = Traces.Continue(spans.GetValueOrDefault(c.Export.OrderId), "shopify order export recorded");
            return outcomes[c.Export.OrderId](db);
        });
        await db.SaveChangesAsync(ct);
        return created;
    }

    /// <summary>One line of the Shopify order: the variant when Shopify has the SKU, else a custom line with its title and SKU.</summary>
    private static JsonObject Line(string? variant, string title, string? sku, int quantity, Money unitPrice)
    {
        var item = new JsonObject { ["quantity"] = quantity, ["priceSet"] = Price(unitPrice) };
        if (variant is not null) item["variantId"] = variant;
        else
        {
            item["title"] = title;
            item["sku"] = sku;
        }

        return item;
    }

    /// <summary>Finds (after an interrupted call) or creates one Shopify order; returns how to record the answer.</summary>
    private async Task<Func<ShopifyDbContext, bool>> CallAsync(ConnectionRecord connection, ShopifyCredentials credentials, OrderExport export, bool wasAttempted,
        ConcurrentDictionary<(Guid, string), string?> variants, IReadOnlyDictionary<(Guid Tenant, string Sku), IReadOnlyList<KitComponent>> kits, CancellationToken ct)
    {
        if (wasAttempted)
        {
            var found = await FindByTagAsync(shopify, connection, credentials, export, ct);
            if (found is not null)
            {
                return db =>
                {
                    logger.LogInformation("Shopify order {Name} for {Channel} {Order} already existed (found by tag after an interrupted call)",
                        found["name"], export.Channel, export.ChannelOrderId);
                    Created(db, export, found, null);
                    return true;
                };
            }
        }

        var order = JsonSerializer.Deserialize<ChannelOrder>(export.Order, PlatformJson.Options)!;
        var lines = new JsonArray();
        foreach (var line in order.Lines)
        {
            var sku = line.Sku ?? line.MerchantSku;
            lines.Add(Line(await VariantAsync(sku), line.Title, sku, line.Quantity, line.UnitPrice));
            // A kit's components follow it at no price, so that Shopify's stock of each counts what was sold (the kit's own
            // variant, left untracked in Shopify, counts nothing) and the order's total stays the marketplace's.
            if (sku is not null && kits.TryGetValue((export.TenantId, sku), out var components))
            {
                foreach (var component in components)
                {
                    lines.Add(Line(await VariantAsync(component.Sku), $"{line.Title} — {component.Sku}", component.Sku, line.Quantity * component.Quantity,
                        line.UnitPrice with { Amount = 0 }));
                }
            }
        }

        var input = OrderInput(export, order, lines);

        async Task<string?> VariantAsync(string? sku)
        {
            string? variant = null;
            if (sku is not null && !variants.TryGetValue((connection.Id, sku), out variant))
            {
                var found = await shopify.GraphQlAsync(connection, credentials, VariantBySku, new { query = $"sku:{sku}" }, ct);
                if (found["data"] is null)
                {
                    throw new InvalidOperationException($"Shopify did not answer the variant look-up for SKU {sku}: {found.ToJsonString()[..Math.Min(300, found.ToJsonString().Length)]}");
                }

                variant = (found["data"]?["productVariants"]?["nodes"] as JsonArray)?.FirstOrDefault()?["id"]?.GetValue<string>();
                variants[(connection.Id, sku)] = variant;
            }

            return variant;
        }

        var answer = await shopify.GraphQlAsync(connection, credentials, CreateOrder,
            new { order = input, options = new JsonObject { ["inventoryBehaviour"] = "DECREMENT_IGNORING_POLICY" } }, ct);
        var payload = answer["data"]?["orderCreate"];
        if (payload?["order"] is JsonObject created)
        {
            return db =>
            {
                Created(db, export, created, order.OrderedAt);
                logger.LogInformation("Shopify order {Name} created for {Channel} {Order}", created["name"], export.Channel, export.ChannelOrderId);
                return true;
            };
        }

        var errors = (payload?["userErrors"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (errors.Count == 0)
        {
            throw new InvalidOperationException($"Shopify answered orderCreate without an order or user errors: {answer.ToJsonString()[..Math.Min(300, answer.ToJsonString().Length)]}");
        }

        // userErrors mean Shopify created nothing: the intent goes back to Pending.
        if (errors.Any(e => e["code"]?.GetValue<string>() == "TOO_MANY_REQUESTS"))
        {
            return _ =>
            {
                export.State = ExportState.Pending;
                export.NextAttemptAt = clock.GetUtcNow() + RateLimitWait;
                logger.LogInformation("Shopify's order limit reached; {Channel} {Order} waits {Wait}", export.Channel, export.ChannelOrderId, RateLimitWait);
                return false;
            };
        }

        var detail = "Shopify refused the order: " + string.Join("; ", errors.Select(e => $"{string.Join(".", (e["field"] as JsonArray ?? []).Select(f => f?.ToString()))}: {e["message"]} ({e["code"]})"));
        return db =>
        {
            export.State = ExportState.Refused;
            export.Error = detail;
            db.AddToOutbox(new OrderExportRefused(export.TenantId, export.SourceConnectionId, export.OrderId, Enum.Parse<Channel>(export.Channel), export.ChannelOrderId,
                detail, "Correct what Shopify names (stock, variant, address), then retry the order.", clock.GetUtcNow()));
            logger.LogWarning("{Detail} ({Channel} {Order})", detail, export.Channel, export.ChannelOrderId);
            return false;
        };
    }

    /// <summary>The Shopify order an interrupted orderCreate may have made, found by the intent's tag.</summary>
    public static async Task<JsonNode?> FindByTagAsync(ShopifyAdminClient shopify, ConnectionRecord connection, ShopifyCredentials credentials, OrderExport export, CancellationToken ct) =>
        ((await shopify.GraphQlAsync(connection, credentials, OrdersByTag, new { query = $"tag:{export.Tag}" }, ct))["data"]?["orders"]?["nodes"] as JsonArray)?.FirstOrDefault();

    /// <param name="orderedAt">When the buyer ordered, for the order flow's lag (not known to a call that found the order by tag).</param>
    private void Created(ShopifyDbContext db, OrderExport export, JsonNode order, DateTimeOffset? orderedAt)
    {
        export.State = ExportState.Created;
        export.ShopifyOrderId = order["id"]!.GetValue<string>();
        export.ShopifyOrderName = order["name"]?.GetValue<string>() ?? "";
        export.Error = null;
        var now = clock.GetUtcNow();
        db.AddToOutbox(new OrderExported(export.TenantId, export.ConnectionId, export.OrderId, export.ShopifyOrderId, export.ShopifyOrderName, now,
            export.SourceConnectionId, export.ChannelOrderId));
        db.AfterCommit(() =>
        {
            PlatformDiagnostics.OrdersExported.Add(1, new KeyValuePair<string, object?>("channel", export.Channel));
            if (orderedAt is { } at)
            {
                PlatformDiagnostics.RecordSyncLag(export.Channel, "order", export.SourceConnectionId, at, now);
            }
        });
    }

    /// <summary>The order as Shopify's OrderCreateOrderInput: the channel and its order id in sourceName,
    /// sourceIdentifier and tags, so the merchant can find it and the platform can find it again.</summary>
    public static JsonObject OrderInput(OrderExport export, ChannelOrder order, JsonArray lines)
    {
        var shipTo = order.ShipTo ?? order.Packages.Select(p => p.ShipTo).FirstOrDefault(a => a is not null);
        var input = new JsonObject
        {
            ["lineItems"] = lines,
            ["tags"] = new JsonArray("rakuten-platform", $"channel:{export.Channel}", $"channel-order:{export.ChannelOrderId}", export.Tag),
            ["sourceName"] = "rakuten-platform",
            ["sourceIdentifier"] = $"{export.Channel}:{export.ChannelOrderId}",
            ["email"] = order.Buyer.Email,
            ["phone"] = order.Buyer.Phone,
            ["note"] = order.BuyerNotes,
            ["currency"] = order.Total.Currency,
            ["processedAt"] = order.OrderedAt.ToString("O", CultureInfo.InvariantCulture),
            ["shippingLines"] = new JsonArray(new JsonObject { ["title"] = order.DeliveryMethod ?? "Standard", ["priceSet"] = Price(order.ShippingFee) }),
            ["customAttributes"] = new JsonArray(
                new JsonObject { ["key"] = "express", ["value"] = order.Express ? "true" : "false" },
                new JsonObject { ["key"] = "gift", ["value"] = order.Gift ? "true" : "false" },
                new JsonObject { ["key"] = "payment_method", ["value"] = order.PaymentMethod ?? "" },
                new JsonObject { ["key"] = "points_used", ["value"] = order.PointsUsed.Amount.ToString(CultureInfo.InvariantCulture) }),
        };
        // Shopify has one shipping address; an RMS order's further baskets (gifts sent elsewhere) go to their own
        // addresses, which the merchant must see on the order.
        foreach (var (package, index) in order.Packages.Skip(1).Select((p, i) => (p, i + 2)))
        {
            if (package.ShipTo is { } to && to != shipTo)
            {
                ((JsonArray)input["customAttributes"]!).Add(new JsonObject
                {
                    ["key"] = $"package_{index}_ship_to",
                    ["value"] = $"{to.Name}, {to.PostalCode} {to.Province} {to.City} {to.Line1} {to.Line2}".Trim() + $" (lines {string.Join(", ", package.ChannelLineIds)})",
                });
            }
        }

        if (order.Coupons.Count > 0)
        {
            input["discountCode"] = new JsonObject
            {
                ["itemFixedDiscountCode"] = new JsonObject { ["code"] = order.Coupons[0].Code, ["amountSet"] = Price(new Money(order.Coupons.Sum(c => c.Amount.Amount), order.Coupons[0].Amount.Currency)) },
            };
        }

        if (shipTo is not null) input["shippingAddress"] = Address(shipTo);
        if (order.BillingAddress is not null) input["billingAddress"] = Address(order.BillingAddress);
        return input;
    }

    private static JsonObject Price(Money money) => new()
    {
        ["shopMoney"] = new JsonObject { ["amount"] = money.Amount.ToString(CultureInfo.InvariantCulture), ["currencyCode"] = money.Currency },
    };

    private static JsonObject Address(PostalAddress a) => new()
    {
        ["lastName"] = a.Name, ["company"] = a.Company, ["address1"] = a.Line1, ["address2"] = a.Line2, ["city"] = a.City,
        ["provinceCode"] = a.Province, ["zip"] = a.PostalCode, ["countryCode"] = a.CountryCode, ["phone"] = a.Phone,
    };
}
