using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenFr.Onboarding;

/// <summary>A seller's offer the merchant left alone: its SKU gets no stock and no price from the platform.</summary>
public sealed class LeftAloneOffer
{
    public required Guid ConnectionId { get; init; }

    public required string Sku { get; init; }

    public required DateTimeOffset DecidedAt { get; set; }
}

/// <summary>Keeps which offers the merchant left alone (the stock files otherwise reach every offer by its SKU).</summary>
public sealed class ExistingItemDecidedConsumer(RakutenFrDbContext db, ILogger<ExistingItemDecidedConsumer> logger) : IConsumer<ExistingItemDecided>
{
    public Task Consume(ConsumeContext<ExistingItemDecided> context)
    {
        var m = context.Message;
        return db.ExecuteOnceAsync(context, nameof(ExistingItemDecidedConsumer), async ct =>
        {
            if (!await db.Connections.AnyAsync(c => c.Id == m.ConnectionId, ct))
            {
                return; // another channel's connection
            }

            var rows = await db.LeftAloneOffers.Where(o => o.ConnectionId == m.ConnectionId && m.Skus.Contains(o.Sku)).ToDictionaryAsync(o => o.Sku, ct);
            foreach (var sku in m.Skus.Distinct())
            {
                if (m.Decision == ItemDecisionNames.LeaveAlone && !rows.ContainsKey(sku))
                {
                    db.LeftAloneOffers.Add(new LeftAloneOffer { ConnectionId = m.ConnectionId, Sku = sku, DecidedAt = m.OccurredAt });
                }
                else if (m.Decision != ItemDecisionNames.LeaveAlone && rows.TryGetValue(sku, out var row))
                {
                    db.LeftAloneOffers.Remove(row);
                }
            }

            if (m.Decision == ItemDecisionNames.LeaveAlone)
            {
                // What was queued for it before the decision does not go either.
                await db.OfferChanges.Where(c => c.ConnectionId == m.ConnectionId && c.ImportId == null && m.Skus.Contains(c.Sku)).ExecuteDeleteAsync(ct);
            }
        }, logger);
    }
}

public static class ItemDecisionNames
{
    public const string LeaveAlone = "LeaveAlone";
}
