using Rakuten.Platform.Sandbox.Infrastructure;
using Rakuten.Platform.Sandbox.RakutenFr;

namespace Rakuten.Platform.Sandbox.Control;

public sealed record CreateFrSeller(string Login, string Token);

public sealed record FrCatalogueSpec(string? Ean, string? Headline);

public sealed record CreateFrOffer(string Sku, string Headline, decimal Price, int Stock, string? Ean = null);

public sealed record FrSaleLine(string Sku, int Quantity = 1, decimal? Price = null);

/// <summary>A buyer's purchase. <c>RelayPoint</c> set: a relay-point delivery; <c>PrepaidTrackingNumber</c>
/// set: a prepaid-label mode whose tracking number Rakuten issued.</summary>
public sealed record PlaceFrSale(
    IReadOnlyList<FrSaleLine> Lines,
    FrAddress BillingAddress,
    FrAddress? DeliveryAddress = null,
    FrRelayPoint? RelayPoint = null,
    string ShippingType = "Suivi",
    decimal ShippingPrice = 0,
    string BuyerLogin = "acheteur",
    string BuyerEmail = "acheteur@example.fr",
    string? PrepaidTrackingNumber = null,
    DateTimeOffset? PurchasedAt = null);

public sealed record SetFrItemStatus(string Status);

public static class RakutenFrControl
{
    public static void Map(RouteGroupBuilder control, SandboxState state)
    {
        var fr = control.MapGroup("/rakuten-fr").WithTags("Control: Rakuten France");

        fr.MapPost("/sellers", (CreateFrSeller request) =>
        {
            if (string.IsNullOrWhiteSpace(request.Login) || string.IsNullOrWhiteSpace(request.Token))
                return Results.BadRequest(new { errors = new[] { "login and token are required" } });
            lock (state.Sync)
            {
                if (state.FrSellers.ContainsKey(request.Login)) return Results.Conflict(new { errors = new[] { $"seller {request.Login} exists" } });
                var seller = new FrSeller(request.Login, request.Token, state.NextFrId++);
                state.FrSellers[seller.Login] = seller;
                return Results.Created($"/control/rakuten-fr/sellers/{seller.Login}", new { login = seller.Login, sellerId = seller.SellerId });
            }
        });

        fr.MapPost("/sellers/{login}/offers", (string login, CreateFrOffer request) => WithSeller(state, login, seller =>
        {
            if (string.IsNullOrWhiteSpace(request.Sku) || request.Price <= 0 || request.Stock < 0)
                return Results.BadRequest(new { errors = new[] { "sku is required, price must be positive and stock not negative" } });
            var offer = new FrOffer
            {
                AdvertId = state.NextFrId++, ProductId = state.NextFrId++, Sku = request.Sku, Headline = request.Headline,
                Price = request.Price, Stock = request.Stock, Ean = request.Ean,
            };
            seller.Offers[offer.Sku] = offer;
            return Results.Created($"/control/rakuten-fr/sellers/{login}/offers", new { advertId = offer.AdvertId, sku = offer.Sku });
        }));

        // Rakuten France's own catalogue: the products an advert can be created on by barcode.
        fr.MapPost("/catalogue", (FrCatalogueSpec request) =>
        {
            if (request.Ean is not { Length: 13 } ean || !ean.All(char.IsAsciiDigit) || string.IsNullOrWhiteSpace(request.Headline))
                return Results.BadRequest(new { errors = new[] { "ean (13 digits) and headline are required" } });
            lock (state.Sync)
            {
                var product = new FrCatalogueProduct(state.NextFrId++, ean, request.Headline);
                state.FrCatalogue[ean] = product;
                return Results.Created("/control/rakuten-fr/catalogue", product);
            }
        });

        fr.MapGet("/catalogue", () =>
        {
            lock (state.Sync)
            {
                return Results.Ok(state.FrCatalogue.Values.OrderBy(p => p.ProductId).ToList());
            }
        });

        // A product type and its template (the attributes a product page of this type needs).
        fr.MapPut("/product-types/{alias}", (string alias, FrProductType request) =>
        {
            if (string.IsNullOrWhiteSpace(request.Label) || request.Attributes is not { Count: > 0 }
                || request.Attributes.Any(a => a.Section is not ("product" or "advert" or "media") || string.IsNullOrWhiteSpace(a.Key)))
                return Results.BadRequest(new { errors = new[] { "label and attributes [{section: product|advert|media, key, label, mandatory, values?}] are required" } });
            lock (state.Sync)
            {
                state.Fr.ProductTypes[alias] = request;
            }

            return Results.NoContent();
        });

        fr.MapGet("/sellers/{login}/offers", (string login) => WithSeller(state, login, seller =>
            Results.Ok(seller.Offers.Values.OrderBy(o => o.AdvertId))));

        fr.MapPost("/sellers/{login}/sales", (string login, PlaceFrSale request) => WithSeller(state, login, seller =>
        {
            if (request.Lines is not { Count: > 0 } || request.Lines.Any(l => l.Quantity < 1))
                return Results.BadRequest(new { errors = new[] { "a sale needs lines with a quantity of at least 1" } });
            var sale = new FrSale
            {
                PurchaseId = state.NextFrId++, PurchaseDate = request.PurchasedAt ?? state.Clock.GetUtcNow(), ShippingType = request.ShippingType,
                BuyerLogin = request.BuyerLogin, BuyerEmail = request.BuyerEmail, DeliveryAddress = request.DeliveryAddress,
                RelayPoint = request.RelayPoint, BillingAddress = request.BillingAddress, ShippingPrice = request.ShippingPrice,
                PrepaidTrackingNumber = request.PrepaidTrackingNumber,
            };
            foreach (var line in request.Lines)
            {
                seller.Offers.TryGetValue(line.Sku, out var offer);
                // Rakuten France sells one item per unit: every action is per item (§A.2).
                for (var unit = 0; unit < line.Quantity; unit++)
                {
                    sale.Items.Add(new FrItem
                    {
                        ItemId = state.NextFrId++, AdvertId = offer?.AdvertId ?? 0, Sku = line.Sku,
                        Headline = offer?.Headline ?? line.Sku, Price = line.Price ?? offer?.Price ?? 0,
                    });
                }
            }

            seller.Sales[sale.PurchaseId] = sale;
            return Results.Created($"/control/rakuten-fr/sellers/{login}/sales/{sale.PurchaseId}",
                new { purchaseId = sale.PurchaseId, itemIds = sale.Items.Select(i => i.ItemId) });
        }));

        fr.MapGet("/sellers/{login}/sales", (string login) => WithSeller(state, login, seller =>
            Results.Ok(seller.Sales.Values.OrderBy(s => s.PurchaseId))));

        fr.MapPost("/sellers/{login}/items/{itemId:long}/status", (string login, long itemId, SetFrItemStatus request) => WithSeller(state, login, seller =>
        {
            var item = seller.Sales.Values.SelectMany(s => s.Items).FirstOrDefault(i => i.ItemId == itemId);
            if (item is null) return Results.NotFound();
            if (request.Status is not ("CANCELLED" or "ON_HOLD" or "RECEIVED" or "ACCEPTED" or "TO_CONFIRM"))
                return Results.BadRequest(new { errors = new[] { "status must be CANCELLED, ON_HOLD, RECEIVED, ACCEPTED or TO_CONFIRM" } });
            item.Status = request.Status;
            return Results.Ok(new { itemId, status = item.Status });
        }));

        fr.MapGet("/sellers/{login}/imports", (string login) => WithSeller(state, login, seller =>
            Results.Ok(seller.Imports.Values.OrderBy(i => i.ImportId))));

        fr.MapPut("/settings", (FrSettingsUpdate request) =>
        {
            lock (state.Sync)
            {
                if (request.RequestsPerHour is { } r) state.Fr.RequestsPerHour = r;
                if (request.StockFilesPerHour is { } f) state.Fr.StockFilesPerHour = f;
                if (request.PageSize is { } p and > 0) state.Fr.PageSize = p;
                if (request.ErrorsWithHttp200 is { } e) state.Fr.ErrorsWithHttp200 = e;
                if (request.Transporters is { Count: > 0 } t) state.Fr.Transporters = [.. t];
                return Results.Ok(state.Fr);
            }
        });
    }

    private static IResult WithSeller(SandboxState state, string login, Func<FrSeller, IResult> action)
    {
        lock (state.Sync)
        {
            return state.FrSellers.TryGetValue(login, out var seller)
                ? action(seller)
                : Results.NotFound(new { errors = new[] { $"no Rakuten France seller {login}: create it with POST /control/rakuten-fr/sellers" } });
        }
    }
}

public sealed record FrSettingsUpdate(int? RequestsPerHour, int? StockFilesPerHour, int? PageSize, bool? ErrorsWithHttp200, IReadOnlyList<string>? Transporters);
