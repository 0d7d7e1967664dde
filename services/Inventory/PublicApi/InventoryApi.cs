using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Api.V1;
using Rakuten.Platform.BuildingBlocks.Changes;
using Rakuten.Platform.BuildingBlocks.Grpc;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.Inventory.PublicApi;

/// <summary>rakuten.platform.v1.Inventory: per SKU, what Shopify has per location, what orders hold, and what each
/// Rakuten connection is told; and the changes as they commit.</summary>
[Authorize(Policy = PlatformPolicies.Viewer)]
public sealed class InventoryApi(InventoryDbContext db, ChangeFeed<InventoryDbContext> feed) : Api.V1.Inventory.InventoryBase
{
    public const int MaxBatch = 1000;

    public override async Task<Availability> GetAvailability(GetAvailabilityRequest request, ServerCallContext context)
    {
        var sku = AvailabilityMessages.Sku(request.Name, "name");
        var caller = await context.ReaderAsync(db);
        var found = (await ReadAsync(caller.Tenant, [sku], context.CancellationToken))[0];
        return found.Found ? found : throw GrpcProblem.NotFound("stock or reservation of this SKU");
    }

    public override async Task<BatchGetAvailabilityResponse> BatchGetAvailability(BatchGetAvailabilityRequest request, ServerCallContext context)
    {
        if (request.Names.Count is 0 or > MaxBatch)
            throw GrpcProblem.Invalid(("names", $"must name 1 to {MaxBatch} SKUs (it names {request.Names.Count})"));
        var skus = request.Names.Select((n, i) => AvailabilityMessages.Sku(n, $"names[{i}]")).ToList();
        var caller = await context.ReaderAsync(db);
        return new BatchGetAvailabilityResponse { Availabilities = { await ReadAsync(caller.Tenant, skus, context.CancellationToken) } };
    }

    public override async Task WatchAvailability(WatchAvailabilityRequest request, IServerStreamWriter<WatchAvailabilityResponse> responseStream, ServerCallContext context)
    {
        if (request.Names.Count > MaxBatch)
            throw GrpcProblem.Invalid(("names", $"must name at most {MaxBatch} SKUs (it names {request.Names.Count})"));
        var skus = request.Names.Select((n, i) => AvailabilityMessages.Sku(n, $"names[{i}]")).ToHashSet(StringComparer.Ordinal);
        var caller = await context.ReaderAsync(db);
        await ChangeWatch.RunAsync(feed, caller.Tenant, AvailabilityMessages.Topic, request.ResumeToken, row => skus.Count == 0 || skus.Contains(row.Subject),
            (row, token) => new WatchAvailabilityResponse
            {
                ResumeToken = token,
                Availability = row is null ? null : Availability.Parser.ParseFrom(row.Data),
                CommitTime = row is null ? null : Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(row.RecordedAt),
            },
            responseStream, "read the SKUs again with BatchGetAvailability", context.CancellationToken);
    }

    /// <summary>The SKUs' availability in the order asked, in four queries however many SKUs.</summary>
    private async Task<List<Availability>> ReadAsync(Guid tenant, IReadOnlyList<string> skus, CancellationToken ct)
    {
        var wanted = skus.Distinct().ToList();
        var levels = (await db.LocationStocks.AsNoTracking().Where(l => l.TenantId == tenant && wanted.Contains(l.Sku)).ToListAsync(ct)).ToLookup(l => l.Sku);
        var reserved = (await db.Reservations.AsNoTracking().Where(r => r.TenantId == tenant && wanted.Contains(r.Sku))
            .GroupBy(r => r.Sku).Select(g => new { Sku = g.Key, Quantity = g.Sum(r => r.Quantity) }).ToListAsync(ct)).ToDictionary(r => r.Sku, r => r.Quantity);
        var rules = await db.ChannelRules.AsNoTracking().Where(r => r.TenantId == tenant && !r.Removed).ToListAsync(ct);
        var connections = rules.Select(r => r.ConnectionId).ToList();
        var published = (await db.ChannelQuantities.AsNoTracking().Where(q => connections.Contains(q.ConnectionId) && wanted.Contains(q.Sku)).ToListAsync(ct))
            .ToLookup(q => q.Sku);
        return skus.Select(sku => levels[sku].Any() || reserved.ContainsKey(sku)
                ? AvailabilityMessages.Of(sku, levels[sku], reserved.GetValueOrDefault(sku), rules, published[sku].ToDictionary(q => q.ConnectionId), null)
                : new Availability { Name = AvailabilityMessages.Name(sku), Sku = sku, Found = false })
            .ToList();
    }
}
