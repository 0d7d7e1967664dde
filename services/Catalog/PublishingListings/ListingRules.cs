using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Catalog.PublishingListings;

/// <summary>What the catalog does with a listing: ask the channel for an action, refuse it itself, or nothing.</summary>
public sealed record ListingDecision(ListingAction? Request, ListingState State, string? ErrorCode, string? ErrorMessage)
{
    public static ListingDecision Ask(ListingAction action) => new(action, ListingState.Pending, null, null);
}

/// <summary>The listing rules, as pure functions over what the catalog knows.</summary>
public static class ListingRules
{
    public const string DuplicateSku = "DUPLICATE_SKU";
    public const string NoSku = "NO_SKU";

    /// <summary>Why a product cannot go to any channel as it is: a variant without a SKU could be sold but never traced back
    /// (its orders would stick, and its stock could not be pushed). Null when every variant has one.</summary>
    public static string? WithoutSku(ProductSnapshot product)
    {
        var unnamed = product.Variants.Where(v => string.IsNullOrWhiteSpace(v.Sku)).Select(v => $"'{v.Title}'").ToList();
        return unnamed.Count == 0 ? null
            : $"Variant {string.Join(", ", unnamed)} of '{product.Title}' has no SKU: the platform matches orders and stock on the SKU, so it publishes no variant without one. " +
              "Give it a SKU in Shopify (Products → the product → the variant → SKU); the product is published once it has one.";
    }

    /// <summary>The request that brings the channel to the merchant's intent for the product as it is now.
    /// A refused product (duplicate SKU) is not published; if it was ever live it is hidden so that no order
    /// can be placed for the refused variants. A deleted product is withdrawn.</summary>
    /// <param name="blockCode">What kind of refusal <paramref name="blockedReason"/> is; an existing item the merchant left
    /// alone is not a failure: nothing is published in its place (and a platform item live before is withdrawn).</param>
    public static ListingDecision Reconcile(ListingIntent intent, bool productDeleted, string? blockedReason, bool everLive, string blockCode = DuplicateSku)
    {
        if (productDeleted || intent == ListingIntent.Withdrawn)
        {
            return everLive ? ListingDecision.Ask(ListingAction.Withdraw) : new ListingDecision(null, ListingState.Withdrawn, null, null);
        }

        if (blockedReason is not null && blockCode == Onboarding.OnboardingMatches.LeftAlone)
        {
            return new ListingDecision(everLive ? ListingAction.Withdraw : null, ListingState.LeftAlone, blockCode, blockedReason);
        }

        if (blockedReason is not null)
        {
            return new ListingDecision(everLive ? ListingAction.Hide : null, ListingState.Failed, blockCode, blockedReason);
        }

        return ListingDecision.Ask(intent == ListingIntent.Hidden ? ListingAction.Hide : ListingAction.Publish);
    }

    /// <summary>The intent a merchant's action sets; publishing or un-hiding a refused product is itself refused.</summary>
    public static (ListingIntent? Intent, string? Refusal) OnMerchantAction(ListingAction action, bool productDeleted, string? blockedReason)
    {
        if (productDeleted && action != ListingAction.Withdraw)
        {
            return (null, "the product was deleted in Shopify; only withdraw is possible");
        }

        if (blockedReason is not null && action is ListingAction.Publish or ListingAction.Unhide)
        {
            return (null, blockedReason);
        }

        return (action switch
        {
            ListingAction.Hide => ListingIntent.Hidden,
            ListingAction.Withdraw => ListingIntent.Withdrawn,
            _ => ListingIntent.Listed,
        }, null);
    }

    /// <summary>A reply from the channel adapter: null when it answers an older request than the latest (stale).</summary>
    public static ListingState? OnReply(long currentVersion, long replyVersion, ListingState reported, string? blockedReason) =>
        replyVersion < currentVersion ? null
        : blockedReason is not null && reported != ListingState.Withdrawn ? ListingState.Failed
        : reported;
}
