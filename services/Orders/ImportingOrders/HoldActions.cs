using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.ImportingOrders;

/// <summary>The merchant's actions on a held order, for the HTTP and the gRPC API alike: each checks that the hold allows
/// it (<see cref="HoldRules"/>), records the action on the order's stream and in the audit log, in one transaction.
/// A refusal changes nothing and is audited; it is a 409 problem (FAILED_PRECONDITION in gRPC).</summary>
public static class HoldActions
{
    public static async Task<OrderRecord> RetryAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, Caller caller, Guid orderId, DateTimeOffset now, CancellationToken ct)
    {
        var record = await HeldAsync(db, caller, orderId, "order.retry", "retry", now, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var reason = record.HoldReason;
        // A Shopify refusal is retried by accepting again (no rule holds it): the Shopify adapter tries the order once more.
        await OrderImport.DecideAsync(db, store, record, new Reevaluate(), now, ct);
        db.Audit(caller, "order.retry", $"order/{orderId}", now, detail: $"held for {reason}; now {record.Status}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return record;
    }

    public static async Task<OrderRecord> ReleaseAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, Caller caller, Guid orderId, DateTimeOffset now, CancellationToken ct)
    {
        var record = await HeldAsync(db, caller, orderId, "order.release", "release", now, ct);
        var reason = record.HoldReason!.Value;
        if (!HoldRules.CanRelease(reason))
        {
            await db.AuditRefusalAsync(caller, "order.release", $"order/{orderId}", now, $"a {reason} hold cannot be released", ct);
            throw new PlatformProblem(StatusCodes.Status409Conflict, "Cannot be released",
                $"Order {orderId} is held for {reason}, which cannot be released: only a missing ship-to can (retry, or resolve: {record.HoldAction}).");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await OrderImport.DecideAsync(db, store, record, new ReleaseHold(), now, ct);
        db.Audit(caller, "order.release", $"order/{orderId}", now, detail: $"released {reason}; now {record.Status}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return record;
    }

    public static async Task<OrderRecord> DismissAsync(OrdersDbContext db, EventStore<OrdersDbContext> store, Caller caller, Guid orderId, string? note, DateTimeOffset now,
        CancellationToken ct)
    {
        var record = await HeldAsync(db, caller, orderId, "order.dismiss", "dismiss", now, ct);
        var reason = record.HoldReason!.Value;
        if (!HoldRules.CanDismiss(reason) || record.HoldDismissedAt is not null)
        {
            var why = record.HoldDismissedAt is not null ? "the hold is already dismissed" : $"a {reason} hold cannot be dismissed";
            await db.AuditRefusalAsync(caller, "order.dismiss", $"order/{orderId}", now, why, ct);
            throw new PlatformProblem(StatusCodes.Status409Conflict, "Cannot be dismissed",
                $"Order {orderId}: {why} (only holds handled on the marketplace — unmanaged items, an unreadable order — are dismissed).");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await OrderImport.DecideAsync(db, store, record, new DismissHold(note), now, ct);
        db.Audit(caller, "order.dismiss", $"order/{orderId}", now, detail: $"dismissed {reason}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return record;
    }

    /// <summary>The tenant's order, held; otherwise a 404, or an audited 409.</summary>
    private static async Task<OrderRecord> HeldAsync(OrdersDbContext db, Caller caller, Guid orderId, string action, string verb, DateTimeOffset now, CancellationToken ct)
    {
        db.Actor = caller.Actor; // the events the action causes name who asked
        db.Cause = $"{action}:{System.Diagnostics.Activity.Current?.TraceId.ToHexString() ?? Guid.NewGuid().ToString("N")}";
        var record = await db.Orders.FirstOrDefaultAsync(o => o.OrderId == orderId && o.TenantId == caller.Tenant, ct)
                     ?? throw PlatformProblem.NotFound("order with this id");
        if (record.Status != UnifiedOrderStatus.Held || record.HoldReason is null)
        {
            await db.AuditRefusalAsync(caller, action, $"order/{orderId}", now, $"the order is {record.Status}, not held", ct);
            throw new PlatformProblem(StatusCodes.Status409Conflict, "Not held", $"Order {orderId} is {record.Status}, not held: there is nothing to {verb}.");
        }

        return record;
    }
}
