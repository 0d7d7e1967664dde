using System.Text.Json.Nodes;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Shopify;

public static partial class ShopifyAdminApi
{
    /// <summary>inventorySetQuantities / inventoryAdjustQuantities with the compare-and-swap rules of the
    /// requested API version and <c>@idempotent</c> replay (reference §B.3).</summary>
    private static class Inventory
    {
        public static JsonNode? Set(Context c, JsonObject args)
        {
            var input = args["input"] as JsonObject ?? [];
            var name = input["name"]?.GetValue<string>();
            if (name is not ("available" or "on_hand"))
            {
                return Payload("inventoryAdjustmentGroup", null, UserError(["input", "name"], "The quantity name must be available or on_hand.", "INVALID_NAME"));
            }

            var modern = string.CompareOrdinal(c.Version, "2026-04") >= 0;
            var ignoreCompare = input["ignoreCompareQuantity"]?.GetValue<bool>() ?? false;
            if (modern && input.ContainsKey("ignoreCompareQuantity"))
            {
                return Payload("inventoryAdjustmentGroup", null, UserError(["input", "ignoreCompareQuantity"], "ignoreCompareQuantity was removed in 2026-04: use changeFromQuantity.", "INVALID"));
            }

            var changes = new List<(long Item, long Location, int From, int To)>();
            var quantities = input["quantities"] as JsonArray ?? [];
            for (var i = 0; i < quantities.Count; i++)
            {
                var q = quantities[i] as JsonObject ?? [];
                var path = new[] { "input", "quantities", i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                if (Level(c, q, path, out var key) is { } bad)
                {
                    return Payload("inventoryAdjustmentGroup", null, bad);
                }

                var target = (int)(q["quantity"]?.GetValue<long>() ?? -1);
                var current = c.Shop.Levels[key];
                if (modern && !q.ContainsKey("changeFromQuantity"))
                {
                    return Payload("inventoryAdjustmentGroup", null, UserError([.. path, "changeFromQuantity"], "changeFromQuantity is required (pass null to opt out).", "INVALID"));
                }

                if (q["changeFromQuantity"] is { } from && from.GetValue<long>() != current)
                {
                    return Payload("inventoryAdjustmentGroup", null, UserError([.. path, "changeFromQuantity"], $"The quantity changed: it is {current}, not {from}.", "CHANGE_FROM_QUANTITY_STALE"));
                }

                if (!modern && q["compareQuantity"] is { } compare && compare.GetValue<long>() != current)
                {
                    return Payload("inventoryAdjustmentGroup", null, UserError([.. path, "compareQuantity"], $"The compareQuantity argument no longer matches the persisted quantity ({current}).", "COMPARE_QUANTITY_STALE"));
                }

                if (!modern && !ignoreCompare && !q.ContainsKey("compareQuantity") && !q.ContainsKey("changeFromQuantity"))
                {
                    return Payload("inventoryAdjustmentGroup", null, UserError([.. path, "compareQuantity"], "compareQuantity is required unless ignoreCompareQuantity is true.", "INVALID"));
                }

                changes.Add((key.Item, key.Location, current, target));
            }

            return Apply(c, input["reason"]?.GetValue<string>() ?? "correction", name, changes);
        }

        public static JsonNode? Adjust(Context c, JsonObject args)
        {
            var modern = string.CompareOrdinal(c.Version, "2026-04") >= 0;
            if (c.Op.IdempotencyKey is { } key && c.Shop.IdempotentResults.TryGetValue(key, out var replay))
            {
                return JsonNode.Parse(replay);
            }

            if (modern && c.Op.IdempotencyKey is null)
            {
                c.Errors.Add(new JsonObject
                {
                    ["message"] = "The @idempotent directive is required for inventoryAdjustQuantities from 2026-04.",
                    ["extensions"] = new JsonObject { ["code"] = "BAD_REQUEST" },
                });
                return null;
            }

            var input = args["input"] as JsonObject ?? [];
            var changes = new List<(long Item, long Location, int From, int To)>();
            var list = input["changes"] as JsonArray ?? [];
            for (var i = 0; i < list.Count; i++)
            {
                var change = list[i] as JsonObject ?? [];
                var path = new[] { "input", "changes", i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                if (Level(c, change, path, out var level) is { } bad)
                {
                    return Payload("inventoryAdjustmentGroup", null, bad);
                }

                var current = c.Shop.Levels[level];
                if (change["changeFromQuantity"] is { } from && from.GetValue<long>() != current)
                {
                    return Payload("inventoryAdjustmentGroup", null, UserError([.. path, "changeFromQuantity"], $"The quantity changed: it is {current}, not {from}.", "CHANGE_FROM_QUANTITY_STALE"));
                }

                changes.Add((level.Item, level.Location, current, current + (int)(change["delta"]?.GetValue<long>() ?? 0)));
            }

            var result = Apply(c, input["reason"]?.GetValue<string>() ?? "correction", input["name"]?.GetValue<string>() ?? "available", changes);
            if (c.Op.IdempotencyKey is { } k)
            {
                c.Shop.IdempotentResults[k] = result.ToJsonString();
            }

            return result;
        }

        private static JsonObject? Level(Context c, JsonObject q, string[] path, out (long Item, long Location) key)
        {
            key = default;
            var item = ShopifyJson.IdOf(q["inventoryItemId"], "InventoryItem");
            var location = ShopifyJson.IdOf(q["locationId"], "Location");
            if (item is null || !c.Shop.Products.Values.SelectMany(p => p.Variants).Any(v => v.InventoryItemId == item))
            {
                return UserError([.. path, "inventoryItemId"], "The specified inventory item could not be found.", "INVALID_INVENTORY_ITEM");
            }

            if (location is null || !c.Shop.Locations.ContainsKey(location.Value))
            {
                return UserError([.. path, "locationId"], "The specified location could not be found.", "INVALID_LOCATION");
            }

            key = (item.Value, location.Value);
            c.Shop.Levels.TryAdd(key, 0);
            return null;
        }

        private static JsonObject Apply(Context c, string reason, string name, List<(long Item, long Location, int From, int To)> changes)
        {
            foreach (var (item, location, _, to) in changes)
            {
                SetLevel(c.State, c.Shop, c.Webhooks, item, location, to);
            }

            return Payload("inventoryAdjustmentGroup", new JsonObject
            {
                ["createdAt"] = ShopifyJson.Time(c.State.Clock.GetUtcNow()),
                ["reason"] = reason,
                ["changes"] = new JsonArray(changes.Select(x => (JsonNode)new JsonObject
                {
                    ["name"] = name, ["delta"] = x.To - x.From, ["quantityAfterChange"] = x.To,
                    ["item"] = new JsonObject { ["id"] = ShopifyJson.Gid("InventoryItem", x.Item) },
                    ["location"] = new JsonObject { ["id"] = ShopifyJson.Gid("Location", x.Location) },
                }).ToArray()),
            });
        }
    }

    /// <summary>Sets an available quantity and emits inventory_levels/update. Called under the state lock.</summary>
    public static void SetLevel(SandboxState state, ShopifyShop shop, WebhookDeliverer webhooks, long item, long location, int available)
    {
        shop.Levels[(item, location)] = available;
        webhooks.Emit(shop, "inventory_levels/update", new JsonObject
        {
            ["inventory_item_id"] = item,
            ["location_id"] = location,
            ["available"] = available,
            ["updated_at"] = ShopifyJson.Time(state.Clock.GetUtcNow()),
            ["admin_graphql_api_id"] = $"gid://shopify/InventoryLevel/{item}?inventory_item_id={item}",
        });
    }
}
