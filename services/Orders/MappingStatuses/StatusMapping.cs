using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Orders.TrackingStatus;

namespace Rakuten.Platform.Orders.MappingStatuses;

/// <summary>What one marketplace status means (issue 22): the unified status it moves the order to, and what it does to
/// the Shopify order — tags added, its fulfilment held (the marketplace has a change or a cancellation to confirm), and,
/// for a cancellation, whether the Shopify order is cancelled or only tagged.</summary>
public sealed record StatusRule(string ChannelStatus, UnifiedOrderStatus Status, IReadOnlyList<string> Tags, bool HoldFulfillment, bool CancelInShopify)
{
    /// <summary>Whether it asks anything of the Shopify order besides its status.</summary>
    public bool ActsOnShopify => Tags.Count > 0 || HoldFulfillment;
}

/// <summary>The status mapping as pure functions: the documented defaults per channel (docs/orders.md, "Status mapping"
/// — keep the two in step), a connection's overrides laid over them, and the rules a merchant's table must keep.</summary>
public static class StatusMapping
{
    /// <summary>What each channel status is, for the merchant reading the table.</summary>
    public static readonly IReadOnlyDictionary<(Channel, string), string> Meanings = new Dictionary<(Channel, string), string>
    {
        [(Channel.RakutenJp, "100")] = "注文確認待ち awaiting order confirmation",
        [(Channel.RakutenJp, "200")] = "楽天処理中 Rakuten processing",
        [(Channel.RakutenJp, "300")] = "発送待ち awaiting shipment",
        [(Channel.RakutenJp, "400")] = "変更確定待ち a change awaiting confirmation",
        [(Channel.RakutenJp, "500")] = "発送済 shipped",
        [(Channel.RakutenJp, "600")] = "支払手続き中 payment processing",
        [(Channel.RakutenJp, "700")] = "支払手続き済 payment completed",
        [(Channel.RakutenJp, "800")] = "キャンセル確定待ち a cancellation awaiting confirmation",
        [(Channel.RakutenJp, "900")] = "キャンセル確定 cancelled",
        [(Channel.RakutenFr, "TO_CONFIRM")] = "a new sale to accept",
        [(Channel.RakutenFr, "ACCEPTED")] = "accepted, to ship",
        [(Channel.RakutenFr, "PARTIALLY_CANCELLED")] = "some units cancelled, the rest to ship",
        [(Channel.RakutenFr, "PARTIALLY_SHIPPED")] = "some units shipped",
        [(Channel.RakutenFr, "SHIPPED")] = "every unit shipped",
        [(Channel.RakutenFr, "CANCELLED")] = "every unit cancelled",
        [(Channel.RakutenFr, "REFUSED")] = "refused before acceptance",
    };

    /// <summary>The statuses a merchant may map a channel status to: not Held, which is the platform's own decision.</summary>
    public static readonly IReadOnlyList<UnifiedOrderStatus> Mappable =
    [
        UnifiedOrderStatus.Received, UnifiedOrderStatus.Accepted, UnifiedOrderStatus.PartiallyShipped, UnifiedOrderStatus.Shipped,
        UnifiedOrderStatus.Delivered, UnifiedOrderStatus.Completed, UnifiedOrderStatus.CancellationRequested, UnifiedOrderStatus.Cancelled,
    ];

    public static IEnumerable<string> Statuses(Channel channel) => Meanings.Keys.Where(k => k.Item1 == channel).Select(k => k.Item2);

    /// <summary>The default rule of a channel status: the status map's unified status; the Shopify fulfilment held while a
    /// change or a cancellation awaits the marketplace's confirmation (RMS 400, 800 — shipping then could ship what is being
    /// changed or cancelled); a cancellation cancels the Shopify order; no tags.</summary>
    public static StatusRule? Default(Channel channel, string channelStatus) =>
        OrderStatusMap.FromChannel(channel, channelStatus) is not { } status
            ? null
            : new StatusRule(channelStatus, status, [], HoldFulfillment: channel == Channel.RakutenJp && channelStatus is "400" or "800",
                CancelInShopify: status == UnifiedOrderStatus.Cancelled);

    /// <summary>The rule in force: the connection's own for this status, else the default.</summary>
    public static StatusRule? Resolve(Channel channel, string channelStatus, IReadOnlyDictionary<string, StatusRule> overrides) =>
        overrides.TryGetValue(channelStatus, out var own) ? own : Default(channel, channelStatus);

    /// <summary>The whole table of a channel with a connection's overrides, each with where it comes from.</summary>
    public static IReadOnlyList<(StatusRule Rule, bool Own)> Table(Channel channel, IReadOnlyDictionary<string, StatusRule> overrides) =>
        Statuses(channel).Select(s => overrides.TryGetValue(s, out var own) ? (own, true) : (Default(channel, s)!, false)).ToList();

    /// <summary>What is wrong with a merchant's table, each naming its field; empty when it can be saved.</summary>
    public static IReadOnlyDictionary<string, string[]> Problems(Channel channel, IReadOnlyList<StatusRuleRequest>? rules)
    {
        var errors = new Dictionary<string, string[]>();
        if (rules is null)
        {
            errors["rules"] = ["is required (an empty list puts every status back to its default)"];
            return errors;
        }

        var known = Statuses(channel).ToList();
        var seen = new HashSet<string>();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"rules[{i}]";
            if (rule.ChannelStatus is not { } status || !known.Contains(status))
            {
                errors[$"{at}.channelStatus"] = [$"must be one of {channel}'s statuses: {string.Join(", ", known)}"];
            }
            else if (!seen.Add(status))
            {
                errors[$"{at}.channelStatus"] = [$"{status} is mapped twice"];
            }

            if (rule.Status is not { } unified || !Enum.TryParse<UnifiedOrderStatus>(unified, ignoreCase: false, out var parsed) || !Mappable.Contains(parsed))
            {
                errors[$"{at}.status"] = [$"must be one of {string.Join(", ", Mappable)} (Held is the platform's own decision)"];
            }
            else if (rule.CancelInShopify == true && parsed != UnifiedOrderStatus.Cancelled)
            {
                errors[$"{at}.cancelInShopify"] = ["applies only to a status mapped to Cancelled"];
            }

            var tags = rule.Tags ?? [];
            if (tags.Count > 5)
            {
                errors[$"{at}.tags"] = ["at most 5 tags"];
            }
            else if (tags.FirstOrDefault(t => string.IsNullOrWhiteSpace(t) || t.Trim().Length > 40 || t.Contains(',')) is { } bad)
            {
                errors[$"{at}.tags"] = [$"'{bad}': each tag is 1 to 40 characters, without commas (Shopify separates tags with them)"];
            }
        }

        return errors;
    }

    /// <summary>A checked request as a rule (call <see cref="Problems"/> first).</summary>
    public static StatusRule Rule(StatusRuleRequest request)
    {
        var status = Enum.Parse<UnifiedOrderStatus>(request.Status!);
        return new StatusRule(request.ChannelStatus!, status, (request.Tags ?? []).Select(t => t.Trim()).Distinct().ToList(), request.HoldFulfillment ?? false,
            request.CancelInShopify ?? status == UnifiedOrderStatus.Cancelled);
    }
}

/// <summary>One row of a merchant's status table; omitted flags are off, except <c>cancelInShopify</c> for a status
/// mapped to Cancelled, which is on unless said otherwise.</summary>
public sealed record StatusRuleRequest(string? ChannelStatus, string? Status, IReadOnlyList<string>? Tags, bool? HoldFulfillment, bool? CancelInShopify);
