using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Api.V1;
using Rakuten.Platform.BuildingBlocks.Grpc;
using Rakuten.Platform.BuildingBlocks.Jobs;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Catalog.PublishingListings;
using Rakuten.Platform.Contracts.Catalog;
using Channel = Rakuten.Platform.Api.V1.Channel;
using Listing = Rakuten.Platform.Api.V1.Listing;
using ListingIntent = Rakuten.Platform.Api.V1.ListingIntent;
using ListingState = Rakuten.Platform.Api.V1.ListingState;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Rakuten.Platform.Catalog.PublicApi;

/// <summary>rakuten.platform.v1.Catalog: products as Shopify has them, their listings on the Rakuten channels, and the
/// "publish again" of one product or one connection.</summary>
[Authorize(Policy = PlatformPolicies.Viewer)]
public sealed class CatalogApi(CatalogDbContext db, TimeProvider clock, JobSignal<CatalogDbContext> jobs) : Api.V1.Catalog.CatalogBase
{
    public override async Task<Product> GetProduct(GetProductRequest request, ServerCallContext context)
    {
        var productId = GrpcCalls.Id(request.Name, "products", "name");
        var caller = await context.ReaderAsync(db);
        var row = await db.Products.AsNoTracking().FirstOrDefaultAsync(p => p.ProductId == productId && p.TenantId == caller.Tenant && !p.Deleted, context.CancellationToken)
                  ?? throw GrpcProblem.NotFound("product with this id");
        var product = new Product
        {
            Name = GrpcCalls.Name("products", row.ProductId), ExternalProductId = row.ExternalProductId, Title = row.Title, SourceVersion = row.SourceVersion,
            UpdateTime = Timestamp.FromDateTimeOffset(row.UpdatedAt),
        };
        if (row.Snapshot.Length > 0 && JsonSerializer.Deserialize<ProductSnapshot>(row.Snapshot, PlatformJson.Options) is { } snapshot)
        {
            product.Brand = snapshot.Brand ?? "";
            product.Variants.AddRange(snapshot.Variants.Select(v => new Variant
            {
                VariantId = v.VariantId.ToString(), ExternalVariantId = v.ExternalVariantId, Sku = v.Sku ?? "", Title = v.Title, Price = GrpcCalls.Money(v.Price),
                CompareAtPrice = v.CompareAtPrice is null ? null : GrpcCalls.Money(v.CompareAtPrice),
            }));
        }

        return product;
    }

    public override async Task<ListListingsResponse> ListListings(ListListingsRequest request, ServerCallContext context)
    {
        var size = GrpcCalls.PageSize(request.PageSize, 100, 1000);
        var productId = GrpcCalls.OptionalId(request.Product, "products", "product");
        var connectionId = GrpcCalls.OptionalId(request.Connection, "connections", "connection");
        GrpcCalls.Known(request.Channel, "channel", "a channel");
        GrpcCalls.Known(request.State, "state", "a listing state");
        var caller = await context.ReaderAsync(db);
        var filters = $"{caller.Tenant}|{request.Channel}|{request.State}|{productId}|{connectionId}";
        var page = PageToken.Read(request.PageToken, filters, clock.GetUtcNow());

        var query = db.Listings.AsNoTracking().Where(l => l.TenantId == caller.Tenant);
        if (request.Channel != Channel.Unspecified) query = query.Where(l => l.Channel == request.Channel.ToString());
        if (productId is { } p) query = query.Where(l => l.ProductId == p);
        if (connectionId is { } c) query = query.Where(l => l.ConnectionId == c);
        if (request.State != ListingState.Unspecified)
        {
            var state = Domain(request.State);
            query = query.Where(l => l.State == state);
        }

        var rows = await query.OrderBy(l => l.ProductId).ThenBy(l => l.ConnectionId).Skip(page.Offset).Take(size + 1).ToListAsync(context.CancellationToken);
        var response = new ListListingsResponse { Listings = { rows.Take(size).Select(Message) } };
        if (rows.Count > size) response.NextPageToken = PageToken.Next(filters, page.Offset + size, page.AsOf);
        return response;
    }

    [Authorize(Policy = PlatformPolicies.Operator)]
    [EnableRateLimiting(PlatformSecurity.MarketplaceQuota)]
    public override async Task<RequestResyncResponse> RequestResync(RequestResyncRequest request, ServerCallContext context)
    {
        var caller = context.Actor();
        var now = clock.GetUtcNow();
        switch (request.TargetCase)
        {
            case RequestResyncRequest.TargetOneofCase.Product:
                return new RequestResyncResponse
                {
                    Products = await Resyncs.ProductAsync(db, caller, GrpcCalls.Id(request.Product, "products", "product"), now, context.CancellationToken),
                };
            case RequestResyncRequest.TargetOneofCase.Connection:
                var (job, products) = await Resyncs.ConnectionAsync(db, caller, GrpcCalls.Id(request.Connection, "connections", "connection"), clock,
                    jobs, context.CancellationToken);
                return new RequestResyncResponse { Products = products, Job = $"jobs/{job.Id}" };
            default:
                throw GrpcProblem.Invalid(("target", "name a product or a connection to send again"));
        }
    }

    private static Listing Message(PublishingListings.Listing l)
    {
        var listing = new Listing
        {
            Name = GrpcCalls.Name("listings", l.ListingId), Product = GrpcCalls.Name("products", l.ProductId), Connection = GrpcCalls.Name("connections", l.ConnectionId),
            Channel = Enum.Parse<Channel>(l.Channel), Intent = Enum.Parse<ListingIntent>(l.Intent.ToString()), State = Message(l.State),
            BlockedReason = l.BlockedReason ?? "", ChannelListingId = l.ChannelListingId ?? "", Version = l.Version, UpdateTime = Timestamp.FromDateTimeOffset(l.UpdatedAt),
        };
        if (l.ErrorCode is not null) listing.Error = new MarketplaceError { Code = l.ErrorCode, Message = l.ErrorMessage ?? "" };
        return listing;
    }

    private static ListingState Message(PublishingListings.ListingState state) => state switch
    {
        PublishingListings.ListingState.Pending => ListingState.Pending,
        PublishingListings.ListingState.Published => ListingState.Published,
        PublishingListings.ListingState.Failed => ListingState.Failed,
        PublishingListings.ListingState.Hidden => ListingState.HiddenOnChannel,
        PublishingListings.ListingState.Withdrawn => ListingState.WithdrawnFromChannel,
        PublishingListings.ListingState.LeftAlone => ListingState.LeftAloneOnChannel,
        _ => ListingState.Unspecified,
    };

    private static PublishingListings.ListingState Domain(ListingState state) =>
        Enum.GetValues<PublishingListings.ListingState>().First(s => Message(s) == state);
}
