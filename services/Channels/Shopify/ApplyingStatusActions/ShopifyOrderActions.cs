using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.Connecting;
using Rakuten.Platform.Channels.Shopify.ExportingOrders;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.Shopify.ApplyingStatusActions;

/// <summary>What the Shopify order of a marketplace order should carry by its status mapping (issue 22) — every tag asked
/// so far (tags are added, never taken away) and whether its fulfilment is on hold — and what was last applied.</summary>
public sealed class ShopifyOrderAction
{
    public required Guid OrderId { get; init; }

    /// <summary>JSON array: every tag asked for.</summary>
    public required string Tags { get; set; }

    public bool HoldFulfillment { get; set; }

    /// <summary>The marketplace status the latest request came from, and when (an older request never overrides a newer hold).</summary>
    public required string ChannelStatus { get; set; }

    public required DateTimeOffset RequestedAt { get; set; }

    /// <summary>JSON array: the tags Shopify has.</summary>
    public string AppliedTags { get; set; } = "[]";

    /// <summary>The hold as last applied (null: never touched).</summary>
    public bool? AppliedHold { get; set; }

    public string? Error { get; set; }

    public required DateTimeOffset NextAttemptAt { get; set; }

    public int Attempts { get; set; }

    public bool Pending => Tags != AppliedTags || AppliedHold != HoldFulfillment && (AppliedHold is not null || HoldFulfillment);
}

/// <summary>Records what the order's status asks of its Shopify order and wakes the exporter's loop, which applies it
/// once the Shopify order exists.</summary>
public sealed class OrderShopifyActionsRequestedConsumer(ShopifyDbContext db, OrderExporter exporter, TimeProvider clock, ILogger<OrderShopifyActionsRequestedConsumer> logger)
    : IConsumer<OrderShopifyActionsRequested>
{
    public async Task Consume(ConsumeContext<OrderShopifyActionsRequested> context)
    {
        await db.ExecuteOnceAsync(context, nameof(OrderShopifyActionsRequestedConsumer), async ct =>
        {
            var m = context.Message;
            var row = await db.OrderActions.FirstOrDefaultAsync(a => a.OrderId == m.OrderId, ct);
            if (row is null)
            {
                db.OrderActions.Add(row = new ShopifyOrderAction
                {
                    OrderId = m.OrderId, Tags = "[]", ChannelStatus = m.ChannelStatus, RequestedAt = m.OccurredAt, NextAttemptAt = clock.GetUtcNow(),
                });
                row.HoldFulfillment = m.HoldFulfillment;
            }
            else if (m.OccurredAt >= row.RequestedAt)
            {
                (row.HoldFulfillment, row.ChannelStatus, row.RequestedAt) = (m.HoldFulfillment, m.ChannelStatus, m.OccurredAt);
            }

            var tags = JsonSerializer.Deserialize<List<string>>(row.Tags) ?? [];
            row.Tags = JsonSerializer.Serialize(tags.Concat(m.Tags).Distinct().ToList());
            (row.NextAttemptAt, row.Attempts) = (clock.GetUtcNow(), 0);
            await db.SaveChangesAsync(ct);
        }, logger);
        exporter.Wake();
    }
}

/// <summary>Applies what each order's status asks of its Shopify order, once the order exists there: the missing tags
/// (tagsAdd), then its open fulfillment orders held (fulfillmentOrderHold, reason OTHER with the marketplace status in
/// the notes) or its held ones released. Both are safe to repeat: a tag Shopify has is not added twice, and only a
/// fulfillment order in the state to change is touched. A refusal is kept on the row and tried again later.</summary>
public sealed class ShopifyOrderActionsApplier(IServiceScopeFactory scopes, ShopifyAdminClient shopify, TimeProvider clock, ILogger<ShopifyOrderActionsApplier> logger)
    : IRunsBetweenExports
{
    private const string AddTags = """
        mutation Tags($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }
        """;

    private const string FulfillmentOrders = """
        query FulfillmentOrders($id: ID!) { order(id: $id) { fulfillmentOrders(first: 20) { nodes { id status } } } }
        """;

    private const string Hold = """
        mutation Hold($id: ID!, $hold: FulfillmentOrderHoldInput!) {
          fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) { fulfillmentOrder { id status } userErrors { field message code } }
        }
        """;

    private const string Release = """
        mutation Release($id: ID!) { fulfillmentOrderReleaseHold(id: $id) { fulfillmentOrder { id status } userErrors { field message code } } }
        """;

    public async Task RunDueAsync(CancellationToken ct)
    {
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
            var now = clock.GetUtcNow();
            // As Pending says: tags to add, or a hold to change (a fulfilment never held need not be released).
            due = await db.OrderActions.Where(a => a.NextAttemptAt <= now && (a.Tags != a.AppliedTags || (a.AppliedHold != a.HoldFulfillment && (a.AppliedHold != null || a.HoldFulfillment)))
                                                   && db.OrderExports.Any(e => e.OrderId == a.OrderId && e.State == ExportState.Created))
                .OrderBy(a => a.RequestedAt).Select(a => a.OrderId).Take(200).ToListAsync(ct);
        }

        await BackgroundRounds.EachAsync(due, ApplyAsync, logger, "Applying the status actions to the Shopify order", ct);
    }

    private async Task ApplyAsync(Guid orderId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
        var row = await db.OrderActions.FirstAsync(a => a.OrderId == orderId, ct);
        if (!row.Pending)
        {
            return;
        }

        var export = await db.OrderExports.AsNoTracking().FirstAsync(e => e.OrderId == orderId, ct);
        var connection = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == export.ConnectionId, ct);
        if (connection.FlowsPaused)
        {
            return;
        }

        var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<ShopifyCredentials>(connection.ProtectedCredentials);
        var (tags, hold, status) = (row.Tags, row.HoldFulfillment, row.ChannelStatus);
        var problem = await ApplyTagsAsync(connection, credentials, export.ShopifyOrderId!, tags, row.AppliedTags, ct)
                      ?? await ApplyHoldAsync(connection, credentials, export, hold, status, ct);
        var now = clock.GetUtcNow();
        if (problem is null)
        {
            (row.AppliedTags, row.AppliedHold, row.Error, row.Attempts) = (tags, hold, null, 0);
            logger.LogInformation("Shopify order {Name} ({Channel} {Order}, status {Status}): tags {Tags}, fulfilment {Hold}",
                export.ShopifyOrderName, export.Channel, export.ChannelOrderId, status, tags, hold ? "held" : "open");
        }
        else
        {
            row.Error = problem;
            row.Attempts++;
            row.NextAttemptAt = now + TimeSpan.FromSeconds(Math.Min(600, 10 * Math.Pow(2, Math.Min(row.Attempts - 1, 6))));
            logger.LogWarning("Shopify order {Name} ({Channel} {Order}): {Problem}; tried again later", export.ShopifyOrderName, export.Channel, export.ChannelOrderId, problem);
        }

        await db.SaveChangesAsync(ct);
    }

    private async Task<string?> ApplyTagsAsync(ConnectionRecord connection, ShopifyCredentials credentials, string shopifyOrderId, string wanted, string applied, CancellationToken ct)
    {
        var missing = (JsonSerializer.Deserialize<List<string>>(wanted) ?? []).Except(JsonSerializer.Deserialize<List<string>>(applied) ?? []).ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        var answer = await shopify.GraphQlAsync(connection, credentials, AddTags, new { id = shopifyOrderId, tags = missing }, ct);
        return Errors(answer, "tagsAdd") is { } errors ? $"Shopify did not add the tags {string.Join(", ", missing)}: {errors}" : null;
    }

    private async Task<string?> ApplyHoldAsync(ConnectionRecord connection, ShopifyCredentials credentials, OrderExport export, bool hold, string status, CancellationToken ct)
    {
        var answer = await shopify.GraphQlAsync(connection, credentials, FulfillmentOrders, new { id = export.ShopifyOrderId }, ct);
        if (answer["data"]?["order"]?["fulfillmentOrders"]?["nodes"] is not JsonArray nodes)
        {
            return $"Shopify did not list the order's fulfillment orders: {answer.ToJsonString()[..Math.Min(300, answer.ToJsonString().Length)]}";
        }

        // Only those in the state to change: a closed or cancelled one has nothing left to hold.
        foreach (var node in nodes.OfType<JsonObject>().Where(n => n["status"]?.GetValue<string>() == (hold ? "OPEN" : "ON_HOLD")))
        {
            var id = node["id"]!.GetValue<string>();
            var changed = hold
                ? await shopify.GraphQlAsync(connection, credentials, Hold, new
                {
                    id, hold = new { reason = "OTHER", reasonNotes = $"{export.Channel} status {status}: a change or a cancellation awaits the marketplace's confirmation (Rakuten.Platform)" },
                }, ct)
                : await shopify.GraphQlAsync(connection, credentials, Release, new { id }, ct);
            if (Errors(changed, hold ? "fulfillmentOrderHold" : "fulfillmentOrderReleaseHold") is { } errors)
            {
                return $"Shopify did not {(hold ? "hold" : "release")} fulfillment order {id}: {errors}";
            }
        }

        return null;
    }

    private static string? Errors(JsonObject answer, string mutation)
    {
        if (answer["data"]?[mutation] is not JsonObject payload)
        {
            return $"no {mutation} in the answer: {answer.ToJsonString()[..Math.Min(300, answer.ToJsonString().Length)]}";
        }

        return ShopifyAdminClient.UserErrors(payload);
    }
}
