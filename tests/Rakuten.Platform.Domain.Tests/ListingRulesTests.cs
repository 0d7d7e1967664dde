using FluentAssertions;
using Rakuten.Platform.Catalog.PublishingListings;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Domain.Tests;

public sealed class ListingRulesTests
{
    [Theory]
    [InlineData(ListingIntent.Listed, ListingAction.Publish)]
    [InlineData(ListingIntent.Hidden, ListingAction.Hide)]
    public void A_product_follows_the_merchants_intent(ListingIntent intent, ListingAction expected)
    {
        var decision = ListingRules.Reconcile(intent, productDeleted: false, blockedReason: null, everLive: false);

        decision.Request.Should().Be(expected);
        decision.State.Should().Be(ListingState.Pending);
    }

    [Fact]
    public void A_duplicate_SKU_fails_the_listing_with_its_reason_and_hides_it_only_if_it_was_ever_live()
    {
        var never = ListingRules.Reconcile(ListingIntent.Listed, false, "SKU X is used by 2 variants", everLive: false);
        var live = ListingRules.Reconcile(ListingIntent.Listed, false, "SKU X is used by 2 variants", everLive: true);

        never.Should().Be(new ListingDecision(null, ListingState.Failed, ListingRules.DuplicateSku, "SKU X is used by 2 variants"));
        live.Request.Should().Be(ListingAction.Hide);
        live.State.Should().Be(ListingState.Failed);
        live.ErrorMessage.Should().Be("SKU X is used by 2 variants");
    }

    [Fact]
    public void A_deleted_product_is_withdrawn_where_it_was_live_and_simply_marked_elsewhere()
    {
        ListingRules.Reconcile(ListingIntent.Listed, productDeleted: true, null, everLive: true).Request.Should().Be(ListingAction.Withdraw);
        ListingRules.Reconcile(ListingIntent.Listed, productDeleted: true, null, everLive: false)
            .Should().Be(new ListingDecision(null, ListingState.Withdrawn, null, null));
    }

    [Fact]
    public void Publishing_or_unhiding_a_refused_product_is_refused_with_the_reason_but_hiding_and_withdrawing_are_allowed()
    {
        ListingRules.OnMerchantAction(ListingAction.Publish, false, "dup").Should().Be(((ListingIntent?)null, "dup"));
        ListingRules.OnMerchantAction(ListingAction.Unhide, false, "dup").Should().Be(((ListingIntent?)null, "dup"));
        ListingRules.OnMerchantAction(ListingAction.Hide, false, "dup").Should().Be((ListingIntent.Hidden, (string?)null));
        ListingRules.OnMerchantAction(ListingAction.Withdraw, false, "dup").Should().Be((ListingIntent.Withdrawn, (string?)null));
        ListingRules.OnMerchantAction(ListingAction.Unhide, false, null).Should().Be((ListingIntent.Listed, (string?)null));
        ListingRules.OnMerchantAction(ListingAction.Publish, true, null).Intent.Should().BeNull();
    }

    [Fact]
    public void A_reply_to_an_older_request_changes_nothing_and_a_refused_product_stays_failed()
    {
        ListingRules.OnReply(currentVersion: 3, replyVersion: 2, ListingState.Published, null).Should().BeNull();
        ListingRules.OnReply(3, 3, ListingState.Published, null).Should().Be(ListingState.Published);
        ListingRules.OnReply(3, 3, ListingState.Hidden, "dup").Should().Be(ListingState.Failed);
        ListingRules.OnReply(3, 3, ListingState.Withdrawn, "dup").Should().Be(ListingState.Withdrawn);
    }
}
