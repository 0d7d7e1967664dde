using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.PublishingListings;

/// <summary>Records what a channel adapter reports about a listing; a reply to an older request than the
/// listing's latest changes nothing (the adapter is working on the newer one). It takes the tenant's catalog lock, as
/// every decision on listings does: a reply read before a concurrent decision committed would otherwise write its
/// state over the decision's (a listing Published with the decision's refusal on it).</summary>
public static class ListingReplies
{
    public static Task ApplyAsync(CatalogDbContext db, ConsumeContext context, string consumer, Guid tenantId, Guid listingId, long? version,
        ListingState reported, Action<Listing> record, TimeProvider clock, ILogger logger) =>
        db.ExecuteOnceAsync(context, consumer, async ct =>
        {
            await BuildingBlocks.Persistence.AdvisoryLock.AcquireAsync(db, $"catalog:{tenantId}", ct);
            var listing = await db.Listings.FirstOrDefaultAsync(l => l.ListingId == listingId, ct);
            // ListingWithdrawn carries no version: it only answers a Withdraw, so it holds while the merchant still wants that.
            var replyVersion = version ?? (listing?.Intent == ListingIntent.Withdrawn ? listing.Version : -1);
            if (listing is null || ListingRules.OnReply(listing.Version, replyVersion, reported, listing.BlockedReason) is not { } state)
            {
                logger.LogDebug("Reply {Version} for listing {Listing} is stale or unknown; ignored", version, listingId);
                return;
            }

            record(listing);
            listing.State = state;
            listing.UpdatedAt = clock.GetUtcNow();
        }, logger);
}

public sealed class ListingPublishedConsumer(CatalogDbContext db, TimeProvider clock, ILogger<ListingPublishedConsumer> logger) : IConsumer<ListingPublished>
{
    public Task Consume(ConsumeContext<ListingPublished> context)
    {
        var m = context.Message;
        return ListingReplies.ApplyAsync(db, context, nameof(ListingPublishedConsumer), m.TenantId, m.ListingId, m.Version,
            m.Hidden ? ListingState.Hidden : ListingState.Published, listing =>
            {
                listing.ChannelListingId = m.ChannelListingId;
                listing.Hidden = m.Hidden;
                if (listing.BlockedReason is null)
                {
                    listing.ErrorCode = null;
                    listing.ErrorMessage = null;
                }
            }, clock, logger);
    }
}

public sealed class ListingFailedConsumer(CatalogDbContext db, TimeProvider clock, ILogger<ListingFailedConsumer> logger) : IConsumer<ListingFailed>
{
    public Task Consume(ConsumeContext<ListingFailed> context)
    {
        var m = context.Message;
        return ListingReplies.ApplyAsync(db, context, nameof(ListingFailedConsumer), m.TenantId, m.ListingId, m.Version, ListingState.Failed, listing =>
        {
            listing.ErrorCode = m.Error.Code;
            listing.ErrorMessage = m.Error.Message;
            listing.Hidden = m.Hidden;
        }, clock, logger);
    }
}

public sealed class ListingWithdrawnConsumer(CatalogDbContext db, TimeProvider clock, ILogger<ListingWithdrawnConsumer> logger) : IConsumer<ListingWithdrawn>
{
    public Task Consume(ConsumeContext<ListingWithdrawn> context)
    {
        var m = context.Message;
        return ListingReplies.ApplyAsync(db, context, nameof(ListingWithdrawnConsumer), m.TenantId, m.ListingId, null, ListingState.Withdrawn, listing =>
        {
            listing.ChannelListingId = null;
            listing.Hidden = false;
        }, clock, logger);
    }
}
