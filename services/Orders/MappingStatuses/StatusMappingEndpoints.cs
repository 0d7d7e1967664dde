using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Connections;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.MappingStatuses;

/// <summary>A marketplace connection as Orders knows it (from its health events): whose it is and which channel.</summary>
public sealed class OrderConnection
{
    public required Guid ConnectionId { get; init; }

    public required Guid TenantId { get; init; }

    public required string Channel { get; init; }

    public bool Removed { get; set; }
}

/// <summary>A connection's own rule for one channel status (the defaults are not stored).</summary>
public sealed class StatusRuleRow
{
    public required Guid ConnectionId { get; init; }

    public required string ChannelStatus { get; init; }

    public required string Status { get; set; }

    /// <summary>JSON array.</summary>
    public required string Tags { get; set; }

    public bool HoldFulfillment { get; set; }

    public bool CancelInShopify { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public required string UpdatedBy { get; set; }

    public StatusRule Rule() => new(ChannelStatus, Enum.Parse<UnifiedOrderStatus>(Status), JsonSerializer.Deserialize<List<string>>(Tags) ?? [], HoldFulfillment, CancelInShopify);
}

public sealed record StatusMappingRequest(IReadOnlyList<StatusRuleRequest>? Rules);

public sealed record StatusRuleView(string ChannelStatus, string Meaning, string Status, IReadOnlyList<string> Tags, bool HoldFulfillment, bool CancelInShopify, string Source);

public sealed record StatusMappingView(Guid ConnectionId, string Channel, IReadOnlyList<StatusRuleView> Rules);

/// <summary>Learns the marketplace connections (a status table belongs to one of the caller's own).</summary>
public sealed class OrderConnectionConsumer(OrdersDbContext db, ILogger<OrderConnectionConsumer> logger) : IConsumer<ConnectionHealthChanged>
{
    public Task Consume(ConsumeContext<ConnectionHealthChanged> context) =>
        context.Message.Channel == Channel.Shopify
            ? Task.CompletedTask
            : db.ExecuteOnceAsync(context, nameof(OrderConnectionConsumer), async ct =>
            {
                var m = context.Message;
                var row = await db.OrderConnections.FirstOrDefaultAsync(c => c.ConnectionId == m.ConnectionId, ct);
                if (row is null)
                {
                    db.OrderConnections.Add(row = new OrderConnection { ConnectionId = m.ConnectionId, TenantId = m.TenantId, Channel = m.Channel.ToString() });
                }

                row.Removed = m.Health == ConnectionHealth.Removed;
                await db.SaveChangesAsync(ct);
            }, logger);
}

public static class StatusMappingEndpoints
{
    /// <summary>The connection's own rules, by channel status.</summary>
    public static async Task<IReadOnlyDictionary<string, StatusRule>> OverridesAsync(OrdersDbContext db, Guid connectionId, CancellationToken ct) =>
        (await OverridesAsync(db, [connectionId], ct))(connectionId);

    /// <summary>The own rules of several connections at once (an import batch).</summary>
    public static async Task<Func<Guid, IReadOnlyDictionary<string, StatusRule>>> OverridesAsync(OrdersDbContext db, IReadOnlyCollection<Guid> connectionIds, CancellationToken ct)
    {
        var rows = (await db.StatusRules.AsNoTracking().Where(r => connectionIds.Contains(r.ConnectionId)).ToListAsync(ct))
            .GroupBy(r => r.ConnectionId).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, StatusRule>)g.ToDictionary(r => r.ChannelStatus, r => r.Rule()));
        return id => rows.GetValueOrDefault(id) ?? new Dictionary<string, StatusRule>();
    }

    public static StatusRuleView View(Channel channel, StatusRule rule, bool own) =>
        new(rule.ChannelStatus, StatusMapping.Meanings.GetValueOrDefault((channel, rule.ChannelStatus)) ?? "", rule.Status.ToString(), rule.Tags, rule.HoldFulfillment,
            rule.CancelInShopify, own ? "connection" : "default");

    public static void MapStatusMapping(this RouteGroupBuilder orders)
    {
        orders.MapGet("/connections/{connectionId:guid}/status-mapping", async (Guid connectionId, Caller caller, OrdersDbContext db, CancellationToken ct) =>
        {
            var connection = await FindAsync(db, connectionId, caller, ct);
            var channel = Enum.Parse<Channel>(connection.Channel);
            return Results.Ok(new StatusMappingView(connectionId, connection.Channel,
                StatusMapping.Table(channel, await OverridesAsync(db, connectionId, ct)).Select(r => View(channel, r.Rule, r.Own)).ToList()));
        }).Produces<StatusMappingView>();

        // The connection's table: what is given replaces its own rules (the statuses left out go back to their defaults).
        // It applies to status changes from now on; what already happened to an order stays.
        orders.MapPut("/connections/{connectionId:guid}/status-mapping", async (Guid connectionId, StatusMappingRequest? request, Caller caller, OrdersDbContext db,
            TimeProvider clock, CancellationToken ct) =>
        {
            var connection = await FindAsync(db, connectionId, caller, ct);
            var channel = Enum.Parse<Channel>(connection.Channel);
            var problems = StatusMapping.Problems(channel, request?.Rules);
            if (problems.Count > 0)
            {
                return ApiErrors.Validation(new Dictionary<string, string[]>(problems));
            }

            var now = clock.GetUtcNow();
            db.StatusRules.RemoveRange(await db.StatusRules.Where(r => r.ConnectionId == connectionId).ToListAsync(ct));
            var rules = request!.Rules!.Select(StatusMapping.Rule).ToList();
            db.StatusRules.AddRange(rules.Select(r => new StatusRuleRow
            {
                ConnectionId = connectionId, ChannelStatus = r.ChannelStatus, Status = r.Status.ToString(), Tags = JsonSerializer.Serialize(r.Tags),
                HoldFulfillment = r.HoldFulfillment, CancelInShopify = r.CancelInShopify, UpdatedAt = now, UpdatedBy = caller.Actor,
            }));
            db.Audit(caller, "status-mapping.set", $"connection/{connectionId}", now,
                detail: rules.Count == 0 ? "defaults" : string.Join("; ", rules.Select(r => $"{r.ChannelStatus} → {r.Status}")));
            await db.SaveChangesAsync(ct);
            var overrides = rules.ToDictionary(r => r.ChannelStatus);
            return Results.Ok(new StatusMappingView(connectionId, connection.Channel,
                StatusMapping.Table(channel, overrides).Select(r => View(channel, r.Rule, r.Own)).ToList()));
        }).RequireAuthorization(PlatformPolicies.Operator).Produces<StatusMappingView>();
    }

    /// <summary>The caller's live connection; one added before Orders listened for connections is known by its orders.</summary>
    private static async Task<OrderConnection> FindAsync(OrdersDbContext db, Guid connectionId, Caller caller, CancellationToken ct)
    {
        if (await db.OrderConnections.AsNoTracking().FirstOrDefaultAsync(c => c.ConnectionId == connectionId && c.TenantId == caller.Tenant, ct) is { } known)
        {
            return known.Removed ? throw PlatformProblem.NotFound("marketplace connection with this id known to orders") : known;
        }

        var channel = await db.Orders.AsNoTracking().Where(o => o.ConnectionId == connectionId && o.TenantId == caller.Tenant).Select(o => o.Channel).FirstOrDefaultAsync(ct)
                      ?? throw PlatformProblem.NotFound("marketplace connection with this id known to orders");
        return new OrderConnection { ConnectionId = connectionId, TenantId = caller.Tenant, Channel = channel };
    }
}
