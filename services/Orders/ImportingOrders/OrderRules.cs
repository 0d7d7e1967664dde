using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.ImportingOrders;

/// <summary>Why an order cannot go to Shopify yet, and what resolves it.</summary>
public sealed record Hold(HoldReason Reason, string Detail, string Action);

/// <summary>The import rules, as pure functions: an order is accepted, or held with its reason and the action
/// that resolves it. One bad order is held on its own; nothing here looks at any other order.</summary>
public static class OrderRules
{
    /// <param name="claims">How many catalog products claim a SKU (0 = unknown, 2+ = duplicate).</param>
    /// <param name="released">A hold the merchant released: it no longer holds the order.</param>
    public static Hold? Decide(Channel channel, ChannelOrder? order, string? parseError, Func<string, int> claims, HoldReason? released = null)
    {
        if (order is null)
        {
            return new Hold(HoldReason.MalformedPayload, $"The marketplace's order could not be read: {parseError ?? "no order in the message"}",
                "Check the order on the marketplace; once its data is fixed, retry it (POST /orders/{id}/retry).");
        }

        // Seed rule: an order with any line the platform does not manage (the adapter says which: in RMS, an item
        // without a v_ manage number) is the merchant's to fulfil on the marketplace — all of it.
        if (order.Lines.FirstOrDefault(l => l.Managed != true) is { } foreign)
        {
            return new Hold(HoldReason.UnmanagedLine,
                $"contains items managed in {Marketplace(channel)} — fulfil it in {Backoffice(channel)} (line '{foreign.Title}'{(foreign.ManageNumber is null ? "" : $", manage number {foreign.ManageNumber}")})",
                $"Fulfil this order in {Backoffice(channel)}: it contains items the platform does not manage.");
        }

        if (order.ShipTo is null && order.Packages.All(p => p.ShipTo is null) && released != HoldReason.MissingShipTo)
        {
            return new Hold(HoldReason.MissingShipTo, "The order has no ship-to address.",
                "Ask the buyer for the delivery address on the marketplace; the order is retried when it changes, or retry it.");
        }

        if (order.AmountsDetermined != true)
        {
            return new Hold(HoldReason.AmountNotDetermined, $"{Marketplace(channel)} has not determined the order's amount yet.",
                $"Nothing to do: the order is retried when {Marketplace(channel)} settles the amount, or retry it.");
        }

        foreach (var line in order.Lines)
        {
            var sku = line.Sku ?? line.MerchantSku;
            if (sku is null || claims(sku) == 0)
            {
                return new Hold(HoldReason.UnknownSku, $"SKU {sku ?? "(none)"} of line '{line.Title}' is not in the catalog.",
                    "Add the SKU to a Shopify product (or correct it on the marketplace); the order is retried when the SKU appears.");
            }

            if (claims(sku) > 1)
            {
                return new Hold(HoldReason.DuplicateSku, $"SKU {sku} of line '{line.Title}' is used by more than one product.",
                    "Give each variant its own SKU in Shopify; the order is retried when the SKU is unique.");
            }
        }

        return null;
    }

    private static string Marketplace(Channel channel) => channel switch
    {
        Channel.RakutenJp => "Rakuten",
        Channel.RakutenFr => "Rakuten France",
        _ => channel.ToString(),
    };

    private static string Backoffice(Channel channel) => channel switch
    {
        Channel.RakutenJp => "RMS",
        Channel.RakutenFr => "the Rakuten France seller account",
        _ => channel.ToString(),
    };
}

/// <summary>What the merchant may do about a hold: retry any; release only a missing ship-to (Shopify takes an order
/// without a shipping address, the merchant arranges delivery — no other hold can be waved through without sending a
/// wrong order); dismiss what is handled on the marketplace (an RMS order with unmanaged items, an unreadable order).</summary>
public static class HoldRules
{
    public static bool CanRelease(HoldReason reason) => reason == HoldReason.MissingShipTo;

    public static bool CanDismiss(HoldReason reason) => reason is HoldReason.UnmanagedLine or HoldReason.MalformedPayload;
}
