using MassTransit;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Inbox;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenFr.Connecting;
using Rakuten.Platform.Channels.RakutenFr.RakutenFrApi;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Catalog;

namespace Rakuten.Platform.Channels.RakutenFr.PublishingOffers;

/// <summary>A listing request for one of this service's Rakuten France connections: matched to offers by SKU and
/// queued for the next stock file (the outcome is published once the import report is read), or refused at once
/// naming the SKU that has no offer.</summary>
public sealed class ListingRequestedConsumer(
    RakutenFrDbContext db, ConnectionSecrets secrets, OfferCatalogCache offers, OfferFilePusher pusher, TimeProvider clock,
    IConfiguration configuration, ProductPages.ProductTypeTemplates templates, ILogger<ListingRequestedConsumer> logger) : IConsumer<ListingRequested>
{
    public async Task Consume(ConsumeContext<ListingRequested> context)
    {
        var request = context.Message;
        var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == request.ConnectionId && c.RemovedAt == null, context.CancellationToken);
        if (connection is null)
        {
            return; // another channel's connection, or one removed since
        }

        var plan = await PlanAsync(db, connection, request, offers, secrets, configuration, templates, context.CancellationToken);
        await db.ExecuteOnceAsync(context, nameof(ListingRequestedConsumer), ct => ApplyAsync(db, connection, request, plan, clock.GetUtcNow(), ct), logger);
        pusher.Wake();
    }

    /// <summary>The offer lines the request means, or why it cannot be carried out now (the offers known are read first,
    /// refreshed on a miss).</summary>
    public static async Task<(IReadOnlyList<OfferFile.Line> Lines, ChannelError? Refusal)> PlanAsync(RakutenFrDbContext db, ConnectionRecord connection,
        ListingRequested request, OfferCatalogCache offers, ConnectionSecrets secrets, IConfiguration configuration, ProductPages.ProductTypeTemplates templates,
        CancellationToken ct)
    {
        if (connection.FlowsPaused)
        {
            return ([], new ChannelError("CONNECTION_PAUSED", $"The Rakuten France connection is {connection.Health}: fix its credentials, then resync the catalog."));
        }

        var skus = request.Product.Variants.Select(v => v.Sku).OfType<string>().Distinct().ToList();
        var credentials = secrets.Unprotect<RakutenFrCredentials>(connection.ProtectedCredentials);
        var offered = await offers.OfferedSkusAsync(db, connection, credentials, skus, request.OccurredAt, ct);
        var rates = configuration.GetSection("Platform:RakutenFr:EurPer").GetChildren()
            .ToDictionary(c => c.Key, c => decimal.Parse(c.Value!, System.Globalization.CultureInfo.InvariantCulture));
        var createOffers = configuration.GetValue("Platform:RakutenFr:CreateOffers", true);
        // A SKU without offer gets a product page when the connection maps the product to a product type: its template says what the page needs.
        ProductPages.ProductTypeTemplate? productType = null;
        if (createOffers && request.Action is ListingAction.Publish or ListingAction.Unhide && skus.Any(s => !offered.Contains(s))
            && ProductPages.ProductPage.AliasFor(request.Product, await ProductPages.ProductTypeEndpoints.BookAsync(db, connection.Id, ct)) is { } alias)
        {
            productType = await templates.GetAsync(connection, credentials, alias, ct);
            if (productType is null)
                return ([], new ChannelError("PRODUCT_TYPE", $"Rakuten France has no product type '{alias}', which the connection's mapping gives '{request.Product.Title}': " +
                    "correct the mapping (PUT /channels/rakuten-fr/connections/{id}/product-types), then publish again."));
        }

        return OfferRules.Plan(request, offered, rates, createOffers, productType);
    }

    /// <summary>Records the plan in the caller's unit of work: the refusal published (a missing offer also waits in
    /// <c>awaiting_offers</c>, retried when the offer appears), or the lines queued for the next stock file.</summary>
    public static async Task ApplyAsync(RakutenFrDbContext db, ConnectionRecord connection, ListingRequested request,
        (IReadOnlyList<OfferFile.Line> Lines, ChannelError? Refusal) plan, DateTimeOffset now, CancellationToken ct)
    {
        var awaiting = await db.AwaitingOffers.FirstOrDefaultAsync(a => a.ListingId == request.ListingId, ct);
        if (awaiting is not null && awaiting.Version <= request.Version)
        {
            db.AwaitingOffers.Remove(awaiting); // this request answers for the listing now
            awaiting = null;
        }

        if (plan.Refusal is { } refusal)
        {
            db.AddToOutbox(new ListingFailed(request.TenantId, request.ConnectionId, request.ListingId, request.Product.ProductId, refusal, false, request.Version, now));
            if (refusal.Code == OfferRules.NoOffer && awaiting is null)
            {
                db.AwaitingOffers.Add(new AwaitingOffer
                {
                    ListingId = request.ListingId, ConnectionId = connection.Id, Version = request.Version, FailedAt = now,
                    Request = System.Text.Json.JsonSerializer.Serialize(request, BuildingBlocks.Messaging.PlatformJson.Options),
                });
            }

            return;
        }

        var skus = plan.Lines.Select(l => l.Sku).ToList();
        await OfferFilePusher.LockAsync(db, [connection.Id], ct);
        // An offer the merchant left alone at onboarding is not written, whatever the listing asks.
        var leftAlone = (await db.LeftAloneOffers.Where(o => o.ConnectionId == connection.Id && skus.Contains(o.Sku)).Select(o => o.Sku).ToListAsync(ct)).ToHashSet();
        var pending = (await db.OfferChanges.Where(c => c.ConnectionId == connection.Id && c.ImportId == null && skus.Contains(c.Sku)).ToListAsync(ct))
            .ToDictionary(c => c.Sku);
        // Publishing (or un-hiding) puts the quantity Inventory last gave each SKU on the offer: a pending stock line's value is in it,
        // a hidden offer (stock 0) gets its stock back, and an advert created now starts with it (its stock changes had no offer to go to).
        var restoring = request.Action is ListingAction.Publish or ListingAction.Unhide;
        var known = !restoring ? []
            : await db.Quantities.AsNoTracking().Where(q => q.ConnectionId == connection.Id && skus.Contains(q.Sku)).ToDictionaryAsync(q => q.Sku, q => q.Quantity, ct);
        foreach (var line in plan.Lines.Where(l => !leftAlone.Contains(l.Sku)))
        {
            if (!pending.TryGetValue(line.Sku, out var change))
            {
                change = new OfferChange { Id = Guid.NewGuid(), ConnectionId = connection.Id, TenantId = request.TenantId, Sku = line.Sku, QueuedAt = now };
                db.OfferChanges.Add(change);
            }
            else if (change.ListingId == request.ListingId && change.ListingVersion > request.Version)
            {
                continue; // a newer request for this listing is already waiting
            }

            change.Price = line.Price ?? change.Price;
            change.Ean = line.Ean ?? change.Ean;
            change.ProductPage = line.Page is { } page ? System.Text.Json.JsonSerializer.Serialize(page, BuildingBlocks.Messaging.PlatformJson.Options) : change.ProductPage;
            if (line.Stock is { } stock)
                change.Stock = stock;
            else if (restoring && known.TryGetValue(line.Sku, out var quantity))
                change.Stock = quantity;
            else if (restoring && line.Creates)
                change.Stock = 0; // an advert is created with a quantity, none known yet
            change.ListingId = request.ListingId;
            change.ListingVersion = request.Version;
            change.ProductId = request.Product.ProductId;
            change.Action = request.Action.ToString();
            change.QueuedAt = now;
            change.TraceParent = Traces.Current;
        }
    }
}
