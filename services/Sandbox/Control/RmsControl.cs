using System.Text.Json.Nodes;
using Rakuten.Platform.Sandbox.Infrastructure;
using Rakuten.Platform.Sandbox.Rms;

namespace Rakuten.Platform.Sandbox.Control;

/// <summary>A shop: <c>Url</c> is its URL code (shopMaster's <c>url</c>; default <c>shop{ShopId}</c>).</summary>
public sealed record CreateRmsShop(string ShopId, string ServiceSecret, string LicenseKey, DateTimeOffset? LicenseExpiresAt, string? Url = null);

public sealed record AddLicenseKey(string LicenseKey, DateTimeOffset? LicenseExpiresAt);

public sealed record RmsPerson(
    string FamilyName, string FirstName, string ZipCode, string Prefecture, string City, string SubAddress,
    string? Phone = null, string? FamilyNameKana = null, string? FirstNameKana = null);

public sealed record RmsOrderLineSpec(
    string ManageNumber, string ItemName, int Price, int Units = 1, string? VariantId = null,
    string? MerchantDefinedSkuId = null, string? SkuInfo = null, string? SelectedChoice = null);

/// <summary>A package (basket). <c>ShipTo</c> null ships to the buyer; <c>NoShipTo</c> leaves the ship-to
/// not yet entered (RMS's placeholders), as a gift recipient who has not given an address.</summary>
public sealed record RmsPackageSpec(
    IReadOnlyList<RmsOrderLineSpec> Items, RmsPerson? ShipTo = null, bool NoShipTo = false, int PostagePrice = 0,
    string? DeliveryCompanyCode = null);

public sealed record RmsCouponSpec(string Code, string Name, int Price, int Units = 1, int Capital = 1, long ItemId = 0);

/// <summary>A buyer's order as placed on Rakuten Ichiba.</summary>
public sealed record PlaceRmsOrder(
    RmsPerson Buyer,
    IReadOnlyList<RmsPackageSpec> Packages,
    string? Email = null,
    DateTimeOffset? OrderedAt = null,
    IReadOnlyList<RmsCouponSpec>? Coupons = null,
    int UsedPoint = 0,
    int SettlementMethodCode = 1,
    string DeliveryName = "宅配便",
    bool Express = false,
    bool Gift = false,
    string? Remarks = null,
    int ShippingTerm = 0,
    bool AmountsUndetermined = false,
    string? OrderNumber = null,
    int OrderProgress = 100);

/// <summary>Many orders at once (a shop's history for a backfill), each as <see cref="PlaceRmsOrder"/> would place it.</summary>
public sealed record PlaceRmsOrders(IReadOnlyList<PlaceRmsOrder> Orders);

public sealed record SetRmsProgress(int OrderProgress);

/// <summary>The shop or the buyer changes an order's item before it ships: the units of the item with this SKU (added to
/// the first basket when the order lacks it; 0 takes it off).</summary>
public sealed record ChangeRmsOrderItem(string? MerchantDefinedSkuId, int Units, string? ManageNumber = null, string? VariantId = null, string? ItemName = null, int Price = 0);

public sealed record CorruptRmsOrder(string Field, System.Text.Json.Nodes.JsonNode? Value);

public sealed record SetRmsStock(string ManageNumber, string VariantId, int Quantity);

public sealed record RmsSettings(int? OrderApiPerSecond, int? ItemsApiPerSecond = null, int? CabinetApiPerSecond = null, int? CabinetReadDelaySeconds = null);

/// <summary><c>Opened</c> false: the shop's owner never opened R-Cabinet in RMS, and CabinetAPI answers AuthError.</summary>
public sealed record SetRmsCabinet(bool Opened);

public static class RmsControl
{
    public static void Map(RouteGroupBuilder control, SandboxState state)
    {
        var rms = control.MapGroup("/rms").WithTags("Control: Rakuten JP (RMS)");

        rms.MapPost("/shops", (CreateRmsShop request) =>
        {
            var problems = new List<string>();
            if (!System.Text.RegularExpressions.Regex.IsMatch(request.ShopId ?? "", @"^\d{6}$")) problems.Add("shopId must be 6 digits");
            if (request.ServiceSecret is not { Length: > 0 and <= 50 }) problems.Add("serviceSecret must be 1 to 50 characters");
            if (request.LicenseKey is not { Length: > 0 and <= 50 }) problems.Add("licenseKey must be 1 to 50 characters");
            if (request.Url is not null && !System.Text.RegularExpressions.Regex.IsMatch(request.Url, "^[a-z0-9][a-z0-9_-]{0,49}$")) problems.Add("url must be 1 to 50 of a-z, 0-9, _ and -");
            if (problems.Count > 0) return Results.BadRequest(new { errors = problems });
            lock (state.Sync)
            {
                if (state.RmsShops.ContainsKey(request.ShopId!)) return Results.Conflict(new { errors = new[] { $"shop {request.ShopId} exists" } });
                if (state.RmsShops.Values.Any(s => s.LicenseKeys.ContainsKey(request.LicenseKey))) return Results.Conflict(new { errors = new[] { "licenseKey is already used by another shop" } });
                var url = request.Url ?? $"shop{request.ShopId}";
                if (state.RmsShops.Values.Any(s => s.Url == url)) return Results.Conflict(new { errors = new[] { $"url {url} is another shop's" } });
                var shop = new RmsShop(request.ShopId!, request.ServiceSecret, url);
                // A license key lasts 90 days (reference §1.2).
                shop.LicenseKeys[request.LicenseKey] = request.LicenseExpiresAt ?? state.Clock.GetUtcNow().AddDays(90);
                state.RmsShops[shop.ShopId] = shop;
                return Results.Created($"/control/rms/shops/{shop.ShopId}", new { shopId = shop.ShopId, url = shop.Url, licenseExpiresAt = shop.LicenseKeys[request.LicenseKey] });
            }
        });

        rms.MapPost("/shops/{shopId}/license-keys", (string shopId, AddLicenseKey request) => WithShop(state, shopId, shop =>
        {
            if (request.LicenseKey is not { Length: > 0 and <= 50 }) return Results.BadRequest(new { errors = new[] { "licenseKey must be 1 to 50 characters" } });
            // Renewal issues a new key; the old one keeps working until its own expiry (reference §1.2).
            shop.LicenseKeys[request.LicenseKey] = request.LicenseExpiresAt ?? state.Clock.GetUtcNow().AddDays(90);
            return Results.Created($"/control/rms/shops/{shopId}", new { shopId, licenseKeys = shop.LicenseKeys.Count });
        }));

        rms.MapPost("/shops/{shopId}/orders", (string shopId, PlaceRmsOrder request) => WithShop(state, shopId, shop =>
        {
            if (Problem(shop, request) is { } problem) return Results.BadRequest(new { errors = new[] { problem } });
            var order = Place(state, shop, request);
            return Results.Created($"/control/rms/shops/{shopId}/orders/{order.OrderNumber}", new { orderNumber = order.OrderNumber });
        }));

        rms.MapPost("/shops/{shopId}/orders/bulk", (string shopId, PlaceRmsOrders request) => WithShop(state, shopId, shop =>
        {
            var problems = (request.Orders ?? []).Select((o, i) => Problem(shop, o) is { } p ? $"orders[{i}]: {p}" : null).OfType<string>().ToList();
            if (request.Orders is not { Count: > 0 and <= 10_000 }) problems.Add("orders must hold 1 to 10,000 orders");
            if (problems.Count > 0) return Results.BadRequest(new { errors = problems.Take(20) });
            return Results.Ok(new { orderNumbers = request.Orders!.Select(o => Place(state, shop, o).OrderNumber).ToList() });
        }));

        rms.MapGet("/shops/{shopId}/orders/{orderNumber}", (string shopId, string orderNumber) => WithShop(state, shopId, shop =>
            shop.Orders.TryGetValue(orderNumber, out var order)
                ? Results.Content(OrderModelJson.Render(order, 10).ToJsonString(), "application/json")
                : Results.NotFound()));

        // The order's payload comes back with one top-level field replaced: a malformed order, as a marketplace bug sends.
        rms.MapPost("/shops/{shopId}/orders/{orderNumber}/corrupt", (string shopId, string orderNumber, CorruptRmsOrder request) => WithShop(state, shopId, shop =>
        {
            if (!shop.Orders.TryGetValue(orderNumber, out var order)) return Results.NotFound();
            if (string.IsNullOrWhiteSpace(request.Field) || request.Field == "orderNumber")
                return Results.BadRequest(new { errors = new[] { "field must name an OrderModel field other than orderNumber" } });
            order.Corruptions[request.Field] = request.Value?.DeepClone();
            return Results.Ok(new { orderNumber, field = request.Field });
        }));

        // Rakuten settles an order's amount (-9999 until then), as after a buyer's change is confirmed.
        rms.MapPost("/shops/{shopId}/orders/{orderNumber}/settle-amounts", (string shopId, string orderNumber) => WithShop(state, shopId, shop =>
        {
            if (!shop.Orders.TryGetValue(orderNumber, out var order)) return Results.NotFound();
            order.AmountsUndetermined = false;
            return Results.Ok(new { orderNumber });
        }));

        // An order changed before shipping (RMS moves it to 400 変更確定待ち until the shop confirms the change).
        rms.MapPost("/shops/{shopId}/orders/{orderNumber}/items", (string shopId, string orderNumber, ChangeRmsOrderItem request) => WithShop(state, shopId, shop =>
        {
            if (!shop.Orders.TryGetValue(orderNumber, out var order)) return Results.NotFound();
            if (string.IsNullOrWhiteSpace(request.MerchantDefinedSkuId) || request.Units < 0)
                return Results.BadRequest(new { errors = new[] { "merchantDefinedSkuId is required and units must be 0 or more" } });
            if (order.OrderProgress >= 500) return Results.Conflict(new { errors = new[] { $"order {orderNumber} is at {order.OrderProgress}: only an order not shipped changes" } });
            var existing = order.Packages.SelectMany(p => p.Items.Select(i => (Package: p, Item: i))).FirstOrDefault(x => x.Item.MerchantDefinedSkuId == request.MerchantDefinedSkuId);
            if (existing.Item is { } item)
            {
                if (request.Units == 0) existing.Package.Items.Remove(item);
                else item.Units = request.Units;
            }
            else if (request.Units > 0)
            {
                var manageNumber = (request.ManageNumber ?? request.MerchantDefinedSkuId).ToLowerInvariant();
                order.Packages[0].Items.Add(new RmsOrderItem
                {
                    ItemDetailId = shop.NextItemDetailId++, ItemName = request.ItemName ?? request.MerchantDefinedSkuId,
                    ItemId = shop.Items.TryGetValue(manageNumber, out var listed) ? listed.ItemId : 0, ManageNumber = manageNumber,
                    VariantId = request.VariantId, MerchantDefinedSkuId = request.MerchantDefinedSkuId, Price = request.Price, Units = request.Units,
                });
            }

            Progress(order, 400, state.Clock.GetUtcNow());
            return Results.Ok(new { orderNumber, orderProgress = order.OrderProgress });
        }));

        rms.MapPost("/shops/{shopId}/orders/{orderNumber}/progress", (string shopId, string orderNumber, SetRmsProgress request) => WithShop(state, shopId, shop =>
        {
            if (!shop.Orders.TryGetValue(orderNumber, out var order)) return Results.NotFound();
            if (request.OrderProgress is < 100 or > 900 || request.OrderProgress % 100 != 0)
                return Results.BadRequest(new { errors = new[] { "orderProgress must be one of 100, 200, …, 900" } });
            var now = state.Clock.GetUtcNow();
            // Buyer-side and Rakuten-side moves: payment (600/700), a buyer's cancellation (800, then 900).
            Progress(order, request.OrderProgress, now);
            if (request.OrderProgress is 800 or 900) order.ChangeReasons.Add(OrderApi.ChangeReason(order, request.OrderProgress == 800 ? 0 : 1, 1, now));
            return Results.Ok(new { orderNumber, orderProgress = order.OrderProgress });
        }));

        rms.MapPut("/shops/{shopId}/items/{manageNumber}", async (string shopId, string manageNumber, HttpRequest http) =>
        {
            var body = await JsonNode.ParseAsync(http.Body) as JsonObject ?? [];
            return WithShop(state, shopId, shop => ItemsApi.Upsert(state, shop, manageNumber, body, patch: false));
        });

        // A shop that already sells: many items at once, each validated as items.upsert would (the first refusal answers).
        rms.MapPost("/shops/{shopId}/items", async (string shopId, HttpRequest http) =>
        {
            var body = await JsonNode.ParseAsync(http.Body) as JsonObject ?? [];
            return WithShop(state, shopId, shop =>
            {
                foreach (var (manageNumber, item) in body)
                {
                    var answer = ItemsApi.Upsert(state, shop, manageNumber, item as JsonObject ?? [], patch: false);
                    if (answer is JsonAnswer { Status: >= 400 })
                    {
                        return answer;
                    }
                }

                return Results.Ok(new { items = shop.Items.Count });
            });
        });

        rms.MapGet("/shops/{shopId}/items", (string shopId) => WithShop(state, shopId, shop =>
            Results.Content(new JsonArray(shop.Items.Select(i => (JsonNode)ItemsApi.Json(i.Key, i.Value)).ToArray()).ToJsonString(), "application/json")));

        // Stock changed in RMS behind the platform's back (the merchant edits it by hand, say).
        rms.MapPut("/shops/{shopId}/inventory", (string shopId, SetRmsStock request) => WithShop(state, shopId, shop =>
        {
            if (request.Quantity is < 0 or > 99999) return Results.BadRequest(new { errors = new[] { "quantity must be between 0 and 99999" } });
            InventoryApi.Set(shop, (request.ManageNumber.ToLowerInvariant(), request.VariantId), request.Quantity, state.Clock.GetUtcNow());
            return Results.NoContent();
        }));

        rms.MapGet("/shops/{shopId}/inventory", (string shopId) => WithShop(state, shopId, shop =>
            Results.Content(new JsonArray(shop.Inventory.Select(i => (JsonNode)InventoryApi.Json(i.Key, i.Value)).ToArray()).ToJsonString(), "application/json")));

        // R-Cabinet as it is now (no read delay): its folders and the files' descriptions.
        rms.MapGet("/shops/{shopId}/cabinet", (string shopId) => WithShop(state, shopId, shop => Results.Ok(new
        {
            opened = shop.Cabinet.Opened,
            folders = shop.Cabinet.Folders,
            files = shop.Cabinet.Files.Select(f => new
            {
                f.FileId, f.FolderId, f.FileName, f.FilePath, f.FileType, f.FileSize, f.Width, f.Height,
                location = "/" + string.Join('/', new[] { shop.Cabinet.Folders.FirstOrDefault(d => d.FolderId == f.FolderId)?.FolderPath, f.FilePath }.OfType<string>()),
            }),
        })));
        rms.MapPut("/shops/{shopId}/cabinet", (string shopId, SetRmsCabinet request) => WithShop(state, shopId, shop =>
        {
            shop.Cabinet.Opened = request.Opened;
            return Results.NoContent();
        }));

        rms.MapPut("/settings", (RmsSettings request) =>
        {
            if (request.OrderApiPerSecond is { } rate)
            {
                if (rate < 0) return Results.BadRequest(new { errors = new[] { "orderApiPerSecond must be 0 (unlimited) or more" } });
                state.RmsOrderApiPerSecond = rate;
            }

            if (request.ItemsApiPerSecond is { } items)
            {
                if (items < 0) return Results.BadRequest(new { errors = new[] { "itemsApiPerSecond must be 0 (unlimited) or more" } });
                state.RmsItemsApiPerSecond = items;
            }

            if (request.CabinetApiPerSecond is { } cabinet)
            {
                if (cabinet < 0) return Results.BadRequest(new { errors = new[] { "cabinetApiPerSecond must be 0 (unlimited) or more" } });
                state.RmsCabinetPerSecond = cabinet;
            }

            if (request.CabinetReadDelaySeconds is { } delay)
            {
                if (delay < 0) return Results.BadRequest(new { errors = new[] { "cabinetReadDelaySeconds must be 0 or more" } });
                state.CabinetReadDelay = TimeSpan.FromSeconds(delay);
            }

            return Results.Ok(new
            {
                orderApiPerSecond = state.RmsOrderApiPerSecond, itemsApiPerSecond = state.RmsItemsApiPerSecond,
                cabinetApiPerSecond = state.RmsCabinetPerSecond, cabinetReadDelaySeconds = (int)state.CabinetReadDelay.TotalSeconds,
            });
        });
    }

    private static string? Problem(RmsShop shop, PlaceRmsOrder request)
    {
        if (request.Packages is not { Count: > 0 } || request.Packages.Any(p => p.Items is not { Count: > 0 }))
            return "an order needs at least one package with at least one item";
        if (request.OrderNumber is { } given && (!System.Text.RegularExpressions.Regex.IsMatch(given, @"^\d{6}-\d{8}-\d+$") || shop.Orders.ContainsKey(given)))
            return "orderNumber must match ^\\d{6}-\\d{8}-\\d+$ and be new";
        if (request.OrderProgress is < 100 or > 900 || request.OrderProgress % 100 != 0)
            return "orderProgress must be one of 100, 200, …, 900";
        return null;
    }

    /// <summary>The dates RMS records as an order moves on (confirmed, fixed, shipment reported), for a search by those dates.</summary>
    public static void Progress(RmsOrder order, int progress, DateTimeOffset at)
    {
        order.OrderProgress = progress;
        if (progress is >= 200 and < 800)
        {
            order.ShopOrderCfmDatetime ??= at;
            order.OrderFixDatetime ??= at;
        }

        if (progress is >= 500 and < 800) order.ShippingCmplRptDatetime ??= at;
    }

    private static RmsOrder Place(SandboxState state, RmsShop shop, PlaceRmsOrder request)
    {
        var orderedAt = request.OrderedAt ?? state.Clock.GetUtcNow();
        var buyer = Address(request.Buyer);
        // An explicit number imitates an RMS anomaly (an order numbered for another shop); otherwise RMS's own pattern.
        var number = request.OrderNumber ?? $"{shop.ShopId}-{orderedAt.ToOffset(SandboxClock.Jst):yyyyMMdd}-{++shop.OrderSequence:D10}";
        var order = new RmsOrder
        {
            OrderNumber = number,
            OrderDatetime = orderedAt,
            Orderer = buyer,
            // RMS gives the shop a relay address, never the buyer's own.
            Email = request.Email is null ? null : $"{Math.Abs(request.Email.GetHashCode(StringComparison.Ordinal)):x8}s1@pc.fw.rakuten.ne.jp",
            UsedPoint = request.UsedPoint,
            SettlementMethodCode = request.SettlementMethodCode,
            DeliveryName = request.DeliveryName,
            AsurakuFlag = request.Express ? 1 : 0,
            GiftCheckFlag = request.Gift ? 1 : 0,
            Remarks = request.Remarks,
            ShippingTerm = request.ShippingTerm,
            AmountsUndetermined = request.AmountsUndetermined,
        };
        foreach (var spec in request.Packages)
        {
            var package = new RmsPackage
            {
                BasketId = shop.NextBasketId++,
                Sender = spec.NoShipTo ? null : spec.ShipTo is null ? buyer : Address(spec.ShipTo),
                PostagePrice = spec.PostagePrice,
                DefaultDeliveryCompanyCode = spec.DeliveryCompanyCode,
            };
            foreach (var line in spec.Items)
            {
                var manageNumber = line.ManageNumber.ToLowerInvariant();
                package.Items.Add(new RmsOrderItem
                {
                    ItemDetailId = shop.NextItemDetailId++,
                    ItemName = line.ItemName,
                    ItemId = shop.Items.TryGetValue(manageNumber, out var item) ? item.ItemId : 0,
                    ManageNumber = manageNumber,
                    VariantId = line.VariantId,
                    MerchantDefinedSkuId = line.MerchantDefinedSkuId,
                    SkuInfo = line.SkuInfo,
                    SelectedChoice = line.SelectedChoice,
                    Price = line.Price,
                    Units = line.Units,
                });
            }

            order.Packages.Add(package);
        }

        foreach (var c in request.Coupons ?? [])
        {
            order.Coupons.Add(new RmsCoupon(c.Code, c.Name, c.Price, c.Units, c.ItemId, c.Capital));
        }

        if (request.OrderProgress != 100)
        {
            // An order of the shop's history: it moved on a day after it was placed (or now, for one placed today).
            var movedAt = orderedAt.AddDays(1) < state.Clock.GetUtcNow() ? orderedAt.AddDays(1) : state.Clock.GetUtcNow();
            Progress(order, request.OrderProgress, movedAt);
            if (request.OrderProgress is 800 or 900) order.ChangeReasons.Add(OrderApi.ChangeReason(order, request.OrderProgress == 800 ? 0 : 1, 1, movedAt));
        }

        shop.Orders[number] = order;
        return order;
    }

    private static RmsAddress Address(RmsPerson p) =>
        new(p.FamilyName, p.FirstName, p.FamilyNameKana, p.FirstNameKana, p.ZipCode, p.Prefecture, p.City, p.SubAddress, p.Phone);

    private static IResult WithShop(SandboxState state, string shopId, Func<RmsShop, IResult> action)
    {
        lock (state.Sync)
        {
            return state.RmsShops.TryGetValue(shopId, out var shop)
                ? action(shop)
                : Results.NotFound(new { errors = new[] { $"no RMS shop {shopId}: create it with POST /control/rms/shops" } });
        }
    }
}
