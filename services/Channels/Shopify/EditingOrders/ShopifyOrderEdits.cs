using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.Shopify.Connecting;
using Rakuten.Platform.Channels.Shopify.ExportingOrders;
using Rakuten.Platform.Channels.Shopify.ShopifyAdmin;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Channels.Shopify.EditingOrders;

/// <summary>The units per SKU the Shopify order of a marketplace order should have now (issue 22): its lines as the
/// marketplace last set them (<see cref="Target"/>; null: as accepted) less the units cancelled there since. Absolute,
/// so that applying it twice — after a crash between Shopify's commit and ours — changes nothing the second time.</summary>
public sealed class ShopifyOrderEdit
{
    public required Guid OrderId { get; init; }

    public required Guid TenantId { get; init; }

    /// <summary>Units per SKU the marketplace set the order's lines to (OrderLinesChanged), as JSON; null: the accepted lines.</summary>
    public string? Target { get; set; }

    /// <summary>Units per SKU cancelled on the marketplace since <see cref="Target"/>, as JSON.</summary>
    public string Cancelled { get; set; } = "{}";

    /// <summary>Why, for the Shopify order's staff note and the merchant.</summary>
    public required string Reason { get; set; }

    public required DateTimeOffset RequestedAt { get; set; }

    public DateTimeOffset? AppliedAt { get; set; }

    public string? Outcome { get; set; }

    public int Attempts { get; set; }

    public required DateTimeOffset NextAttemptAt { get; set; }
}

/// <summary>One line of an open order edit (a CalculatedLineItem): how many units it has and how many of them can still
/// be taken away (not fulfilled).</summary>
public sealed record EditableLine(string Id, string? Sku, int Quantity, int Editable);

/// <summary>What an order edit does: lines set to a quantity, variants to add (by SKU), and what cannot be done.</summary>
public sealed record EditPlan(IReadOnlyList<(string LineId, int Quantity)> Set, IReadOnlyList<(string Sku, int Quantity)> Add, IReadOnlyList<string> Problems)
{
    public bool Changes => Set.Count > 0 || Add.Count > 0;
}

/// <summary>The edit as pure functions: the units wanted, and how to get there from the Shopify order's lines.</summary>
public static class OrderEditRules
{
    /// <summary>The units per SKU the Shopify order should have: the target (or the accepted lines) less the cancelled units.</summary>
    public static IReadOnlyDictionary<string, int> Wanted(IReadOnlyDictionary<string, int> accepted, IReadOnlyDictionary<string, int>? target, IReadOnlyDictionary<string, int> cancelled)
    {
        var lines = target ?? accepted;
        return lines.Keys.Union(cancelled.Keys).ToDictionary(sku => sku, sku => Math.Max(0, lines.GetValueOrDefault(sku) - cancelled.GetValueOrDefault(sku)));
    }

    /// <summary>From the Shopify order's lines to the wanted units: fewer units are taken from the SKU's last lines first, and
    /// never below what is fulfilled; more go on its first line, or a new one when Shopify has none of that SKU. A SKU
    /// the edit does not name (a kit's component, a line the merchant added) is left as it is.</summary>
    public static EditPlan Plan(IReadOnlyList<EditableLine> lines, IReadOnlyDictionary<string, int> wanted)
    {
        var set = new List<(string, int)>();
        var add = new List<(string, int)>();
        var problems = new List<string>();
        foreach (var (sku, units) in wanted.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            var mine = lines.Where(l => l.Sku == sku).ToList();
            var total = mine.Sum(l => l.Quantity);
            if (units > total)
            {
                if (mine.Count == 0) add.Add((sku, units));
                else set.Add((mine[0].Id, mine[0].Quantity + units - total));
                continue;
            }

            var remove = total - units;
            foreach (var line in Enumerable.Reverse(mine))
            {
                var taken = Math.Min(remove, line.Editable);
                if (taken == 0) continue;
                set.Add((line.Id, line.Quantity - taken));
                remove -= taken;
            }

            if (remove > 0)
            {
                problems.Add($"{remove} unit(s) of SKU {sku} are already fulfilled in Shopify and cannot be taken off the order");
            }
        }

        return new EditPlan(set, add, problems);
    }

    public static IReadOnlyList<SkuQuantity> AsLines(IReadOnlyDictionary<string, int> units) =>
        units.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => new SkuQuantity(u.Key, u.Value)).ToList();

    public static Dictionary<string, int> Read(string? json) => json is null ? [] : JsonSerializer.Deserialize<Dictionary<string, int>>(json) ?? [];
}

/// <summary>Records the change a marketplace made to an order's units, for the Shopify order; wakes the exporter's loop,
/// which edits the Shopify order once it exists.</summary>
public static class ShopifyOrderEditRequests
{
    public static async Task RequestAsync(ShopifyDbContext db, Guid tenantId, Guid orderId, IReadOnlyList<SkuQuantity>? target, IReadOnlyList<SkuQuantity> cancelled,
        string reason, DateTimeOffset now, CancellationToken ct)
    {
        var row = await db.OrderEdits.FirstOrDefaultAsync(e => e.OrderId == orderId, ct);
        if (row is null)
        {
            db.OrderEdits.Add(row = new ShopifyOrderEdit { OrderId = orderId, TenantId = tenantId, Reason = reason, RequestedAt = now, NextAttemptAt = now });
        }

        if (target is not null)
        {
            // New lines from the marketplace: what was cancelled before is already out of them.
            row.Target = JsonSerializer.Serialize(target.GroupBy(l => l.Sku).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity)));
            row.Cancelled = "{}";
        }

        var sum = OrderEditRules.Read(row.Cancelled);
        foreach (var line in cancelled)
        {
            sum[line.Sku] = sum.GetValueOrDefault(line.Sku) + line.Quantity;
        }

        row.Cancelled = JsonSerializer.Serialize(sum);
        (row.Reason, row.RequestedAt, row.NextAttemptAt, row.Attempts) = (reason, now, now, 0);
    }
}

/// <summary>The marketplace changed an accepted order's lines (RMS): the Shopify order is edited to match.</summary>
public sealed class OrderLinesChangedConsumer(ShopifyDbContext db, OrderExporter exporter, TimeProvider clock, ILogger<OrderLinesChangedConsumer> logger) : IConsumer<OrderLinesChanged>
{
    public async Task Consume(ConsumeContext<OrderLinesChanged> context)
    {
        var m = context.Message;
        await db.ExecuteOnceAsync(context, nameof(OrderLinesChangedConsumer), async ct =>
        {
            await ShopifyOrderEditRequests.RequestAsync(db, m.TenantId, m.OrderId, m.Lines, [], $"Lines changed on {m.Channel} (order {m.ChannelOrderId})", clock.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
        }, logger);
        exporter.Wake();
    }
}

/// <summary>Edits the Shopify orders whose marketplace order's units changed, once they exist: orderEditBegin, a quantity
/// set per line that differs (restocking the units taken off, so Shopify's stock — and every channel after it — gets them
/// back), a variant added for a SKU Shopify's order lacks, orderEditCommit with the reason as staff note. Nothing to
/// change commits nothing. Shopify's refusal (a unit already fulfilled, an order cancelled) ends the attempt and is
/// reported on the order; a failed call is tried again later.</summary>
public sealed class ShopifyOrderEditor(IServiceScopeFactory scopes, ShopifyAdminClient shopify, TimeProvider clock, ILogger<ShopifyOrderEditor> logger) : IRunsBetweenExports
{
    private const string Begin = """
        mutation Begin($id: ID!) {
          orderEditBegin(id: $id) { calculatedOrder { id lineItems(first: 250) { nodes { id sku quantity editableQuantity } } } userErrors { field message } }
        }
        """;

    private const string SetQuantity = """
        mutation SetQuantity($id: ID!, $lineItemId: ID!, $quantity: Int!) {
          orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity, restock: true) { calculatedOrder { id } userErrors { field message } }
        }
        """;

    private const string AddVariant = """
        mutation AddVariant($id: ID!, $variantId: ID!, $quantity: Int!) {
          orderEditAddVariant(id: $id, variantId: $variantId, quantity: $quantity, allowDuplicates: true) { calculatedOrder { id } userErrors { field message } }
        }
        """;

    private const string Commit = """
        mutation Commit($id: ID!, $staffNote: String) {
          orderEditCommit(id: $id, notifyCustomer: false, staffNote: $staffNote) { order { id name } userErrors { field message } }
        }
        """;

    public async Task RunDueAsync(CancellationToken ct)
    {
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
            var now = clock.GetUtcNow();
            due = await db.OrderEdits.Where(e => (e.AppliedAt == null || e.AppliedAt < e.RequestedAt) && e.NextAttemptAt <= now
                                                 && db.OrderExports.Any(x => x.OrderId == e.OrderId && x.State == ExportState.Created))
                .OrderBy(e => e.RequestedAt).Select(e => e.OrderId).Take(100).ToListAsync(ct);
        }

        await BackgroundRounds.EachAsync(due, EditAsync, logger, "Editing the Shopify order", ct);
    }

    private async Task EditAsync(Guid orderId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopifyDbContext>();
        var row = await db.OrderEdits.FirstAsync(e => e.OrderId == orderId, ct);
        var export = await db.OrderExports.AsNoTracking().FirstAsync(e => e.OrderId == orderId, ct);
        var connection = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == export.ConnectionId, ct);
        if (connection.FlowsPaused)
        {
            return;
        }

        var credentials = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>().Unprotect<ShopifyCredentials>(connection.ProtectedCredentials);
        // A line without SKU is not the platform's to edit.
        var accepted = OrderUnits.BySku(JsonSerializer.Deserialize<ChannelOrder>(export.Order, PlatformJson.Options)).ToDictionary(u => u.Sku, u => u.Quantity);
        var wanted = OrderEditRules.Wanted(accepted, row.Target is null ? null : OrderEditRules.Read(row.Target), OrderEditRules.Read(row.Cancelled));
        var requestedAt = row.RequestedAt;
        var now = clock.GetUtcNow();
        string outcome;
        bool applied;
        try
        {
            (applied, outcome) = await ApplyAsync(connection, credentials, export, wanted, row.Reason, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException)
        {
            // Shopify did not answer: the edit is whole or not at all (nothing is committed before the last call), so it is tried again.
            row.Attempts++;
            row.NextAttemptAt = now + TimeSpan.FromSeconds(Math.Min(600, 10 * Math.Pow(2, Math.Min(row.Attempts - 1, 6))));
            row.Outcome = $"not edited yet: {ex.Message}";
            await db.SaveChangesAsync(ct);
            logger.LogWarning("Shopify order {Name} ({Channel} {Order}) not edited: {Problem}; tried again later", export.ShopifyOrderName, export.Channel, export.ChannelOrderId, ex.Message);
            return;
        }

        // A newer change that came in meanwhile stays due: it is applied next round.
        (row.AppliedAt, row.Outcome, row.Attempts) = (requestedAt, outcome, 0);
        db.AddToOutbox(new ShopifyOrderEdited(export.TenantId, export.ConnectionId, orderId, export.ShopifyOrderName ?? "", OrderEditRules.AsLines(wanted), applied, outcome, now));
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Shopify order {Name} ({Channel} {Order}): {Outcome}", export.ShopifyOrderName, export.Channel, export.ChannelOrderId, outcome);
    }

    /// <summary>One edit session; whether Shopify's order now has the wanted units, and what happened in words.</summary>
    private async Task<(bool Applied, string Outcome)> ApplyAsync(ConnectionRecord connection, ShopifyCredentials credentials, OrderExport export,
        IReadOnlyDictionary<string, int> wanted, string reason, CancellationToken ct)
    {
        var begun = await shopify.GraphQlAsync(connection, credentials, Begin, new { id = export.ShopifyOrderId }, ct);
        var payload = Payload(begun, "orderEditBegin");
        if (Errors(payload) is { } refused)
        {
            return (false, $"Shopify would not edit {export.ShopifyOrderName}: {refused}");
        }

        var calculated = payload["calculatedOrder"]!;
        var sessionId = calculated["id"]!.GetValue<string>();
        var lines = (calculated["lineItems"]?["nodes"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(l => new EditableLine(l["id"]!.GetValue<string>(), l["sku"]?.GetValue<string>(), l["quantity"]?.GetValue<int>() ?? 0,
                l["editableQuantity"]?.GetValue<int>() ?? l["quantity"]?.GetValue<int>() ?? 0))
            .ToList();
        var plan = OrderEditRules.Plan(lines, wanted);
        if (!plan.Changes)
        {
            // Already as wanted (an edit committed before a crash) or nothing Shopify would let change: the session is left to lapse.
            return plan.Problems.Count == 0 ? (true, $"{export.ShopifyOrderName} already has these units") : (false, string.Join("; ", plan.Problems));
        }

        foreach (var (lineId, quantity) in plan.Set)
        {
            if (Errors(Payload(await shopify.GraphQlAsync(connection, credentials, SetQuantity, new { id = sessionId, lineItemId = lineId, quantity }, ct),
                    "orderEditSetQuantity")) is { } error)
            {
                return (false, $"Shopify would not set line {lineId} of {export.ShopifyOrderName} to {quantity}: {error}");
            }
        }

        var problems = plan.Problems.ToList();
        foreach (var (sku, quantity) in plan.Add)
        {
            var found = await shopify.GraphQlAsync(connection, credentials, OrderExporter.VariantBySku, new { query = $"sku:{sku}" }, ct);
            if ((found["data"]?["productVariants"]?["nodes"] as JsonArray)?.FirstOrDefault()?["id"]?.GetValue<string>() is not { } variant)
            {
                problems.Add($"SKU {sku} is not a Shopify variant: its {quantity} unit(s) are not on the Shopify order");
                continue;
            }

            if (Errors(Payload(await shopify.GraphQlAsync(connection, credentials, AddVariant, new { id = sessionId, variantId = variant, quantity }, ct),
                    "orderEditAddVariant")) is { } error)
            {
                problems.Add($"Shopify would not add {quantity} × {sku}: {error}");
            }
        }

        var committed = Payload(await shopify.GraphQlAsync(connection, credentials, Commit, new { id = sessionId, staffNote = $"{reason} (Rakuten.Platform)" }, ct),
            "orderEditCommit");
        if (Errors(committed) is { } commitError)
        {
            return (false, $"Shopify did not commit the edit of {export.ShopifyOrderName}: {commitError}");
        }

        var done = $"{export.ShopifyOrderName} edited ({reason})";
        return problems.Count == 0 ? (true, done) : (false, $"{done}, but {string.Join("; ", problems)}");
    }

    private static JsonObject Payload(JsonObject answer, string mutation) =>
        answer["data"]?[mutation] as JsonObject
        ?? throw new InvalidOperationException($"Shopify did not answer {mutation}: {answer.ToJsonString()[..Math.Min(300, answer.ToJsonString().Length)]}");

    private static string? Errors(JsonObject payload) => ShopifyAdminClient.UserErrors(payload);
}
