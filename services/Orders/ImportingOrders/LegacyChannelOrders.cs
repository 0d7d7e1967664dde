using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;

namespace Rakuten.Platform.Orders.ImportingOrders;

/// <summary>Orders stored, or still queued, from before the adapters stated a line's management and the amounts'
/// state carry nulls there. Their verdicts are worked out here from the fields the RMS adapter then sent — the one
/// place Orders still knows an RMS wire rule, and only for that older data; every order an adapter sends today
/// states both.</summary>
public static class LegacyChannelOrders
{
    private const decimal RmsUndetermined = -9999m;

    public static ChannelOrder? Upgrade(Channel channel, ChannelOrder? order)
    {
        if (order is null || (order.AmountsDetermined is not null && order.Lines.All(l => l.Managed is not null)))
        {
            return order;
        }

        var rms = channel == Channel.RakutenJp;
        return order with
        {
            Lines = order.Lines.Select(l => l.Managed is not null ? l : l with { Managed = !rms || l.ManageNumber?.StartsWith("v_", StringComparison.Ordinal) == true }).ToList(),
            AmountsDetermined = order.AmountsDetermined ?? !(rms && (order.Total.Amount == RmsUndetermined || order.ShippingFee.Amount == RmsUndetermined
                                                                    || order.Lines.Any(l => l.UnitPrice.Amount == RmsUndetermined))),
        };
    }
}
