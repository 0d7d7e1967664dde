using System.Text.Json.Nodes;
using Rakuten.Platform.Sandbox.Infrastructure;

namespace Rakuten.Platform.Sandbox.Shopify;

public static partial class ShopifyAdminApi
{
    /// <summary>orderCreate (with inventoryBehaviour, BYPASS by default), orderCancel and fulfillmentCreate
    /// (reference §B.4, §B.5). orderCreate is not idempotent: two calls make two orders.</summary>
    private static class Orders
    {
        public static JsonNode? Create(Context c, JsonObject args)
        {
            var input = args["order"] as JsonObject ?? [];
            var behaviour = args["options"]?["inventoryBehaviour"]?.GetValue<string>() ?? "BYPASS";
            var now = c.State.Clock.GetUtcNow();

            // Development and trial stores create at most 5 orders a minute (reference §B.2).
            if (c.Shop.Plan == "development")
            {
                // Counted now, recorded only once the order exists: a refused order does not use up the minute.
                if (SlidingWindow.Count(c.Shop.RecentOrders, TimeSpan.FromMinutes(1), now) >= 5)
                {
                    return Payload("order", null, UserError(["order"], "Too many orders were created on this development store: at most 5 per minute.", "TOO_MANY_REQUESTS"));
                }
            }

            if (input["lineItems"] is not JsonArray { Count: > 0 } items)
            {
                return Payload("order", null, UserError(["order", "lineItems"], "An order needs at least one line item.", "INVALID"));
            }

            var lines = new List<SLine>();
            var decrements = new List<(long Item, int Quantity)>();
            var taken = new List<(long Item, long Location, int Quantity)>();
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i] as JsonObject ?? [];
                var quantity = (int)(item["quantity"]?.GetValue<long>() ?? 0);
                var path = new[] { "order", "lineItems", i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                if (quantity < 1)
                {
                    return Payload("order", null, UserError([.. path, "quantity"], "Quantity must be at least 1.", "INVALID"));
                }

                SVariant? variant = null;
                if (item["variantId"] is { } gid)
                {
                    var id = ShopifyJson.IdOf(gid, "ProductVariant");
                    variant = c.Shop.Products.Values.SelectMany(p => p.Variants).FirstOrDefault(v => v.Id == id);
                    if (variant is null)
                    {
                        return Payload("order", null, UserError([.. path, "variantId"], "The variant does not exist.", "INVALID"));
                    }

                    decrements.Add((variant.InventoryItemId, quantity));
                }
                else if (item["title"] is null)
                {
                    return Payload("order", null, UserError([.. path, "title"], "A line item without a variant needs a title.", "INVALID"));
                }

                lines.Add(new SLine
                {
                    Id = c.State.NextShopifyId++, FulfillmentOrderLineItemId = c.State.NextShopifyId++, VariantId = variant?.Id,
                    Sku = variant?.Sku ?? item["sku"]?.GetValue<string>(), Title = item["title"]?.GetValue<string>() ?? variant!.Title, Quantity = quantity,
                    OriginalQuantity = quantity, UnitPrice = ShopifyJson.Amount(item["priceSet"]) ?? variant?.Price ?? 0,
                });
            }

            if (behaviour != "BYPASS")
            {
                foreach (var (inventoryItem, quantity) in decrements)
                {
                    var level = FullestLevel(c.Shop, inventoryItem);
                    var available = c.Shop.Levels.GetValueOrDefault(level);
                    if (behaviour == "DECREMENT_OBEYING_POLICY" && available < quantity)
                    {
                        return Payload("order", null, UserError(["order", "lineItems"], $"Not enough stock: {available} available.", "INVENTORY_NOT_AVAILABLE"));
                    }
                }

                foreach (var (inventoryItem, quantity) in decrements)
                {
                    var level = FullestLevel(c.Shop, inventoryItem);
                    if (level != default)
                    {
                        SetLevel(c.State, c.Shop, c.Webhooks, level.Item, level.Location, c.Shop.Levels[level] - quantity);
                        taken.Add((level.Item, level.Location, quantity));
                    }
                }
            }

            var order = new SOrder
            {
                Id = c.State.NextShopifyId++,
                Name = $"#{1000 + c.Shop.Orders.Count + 1}",
                Input = (JsonObject)input.DeepClone(),
                Tags = input["tags"] switch
                {
                    JsonArray a => a.Select(t => t!.GetValue<string>()).ToList(),
                    JsonValue v => v.GetValue<string>().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
                    _ => [],
                },
                SourceName = input["sourceName"]?.GetValue<string>(),
                SourceIdentifier = input["sourceIdentifier"]?.GetValue<string>(),
                CreatedAt = now,
                FulfillmentOrderId = c.State.NextShopifyId++,
            };
            order.Lines.AddRange(lines);
            order.Decremented.AddRange(taken);
            c.Shop.Orders[order.Id] = order;
            c.Shop.RecentOrders.Enqueue(now);
            c.Webhooks.Emit(c.Shop, "orders/create", new JsonObject { ["id"] = order.Id, ["name"] = order.Name, ["created_at"] = ShopifyJson.Time(now) });
            return Payload("order", ShopifyJson.Order(order));
        }

        /// <summary>The item's level with the most available (where an order takes its units); default when it is stocked nowhere.</summary>
        public static (long Item, long Location) FullestLevel(ShopifyShop shop, long item) =>
            shop.Levels.Where(l => l.Key.Item == item).OrderByDescending(l => l.Value).Select(l => l.Key).FirstOrDefault();

        public static JsonNode? Cancel(Context c, JsonObject args)
        {
            var id = ShopifyJson.IdOf(args["orderId"], "Order");
            if (id is null || !c.Shop.Orders.TryGetValue(id.Value, out var order))
            {
                return new JsonObject { ["job"] = null, ["orderCancelUserErrors"] = new JsonArray(UserError(["orderId"], "Order does not exist", "NOT_FOUND")) };
            }

            if (order.CancelledAt is not null)
            {
                return new JsonObject { ["job"] = null, ["orderCancelUserErrors"] = new JsonArray(UserError(["orderId"], "Order has already been cancelled", "INVALID")) };
            }

            order.CancelledAt = c.State.Clock.GetUtcNow();
            // restock: the units the order took go back where they came from (its unfulfilled ones; fulfilments here do not move stock).
            if (args["restock"]?.GetValue<bool>() == true)
            {
                foreach (var (item, location, quantity) in order.Decremented)
                {
                    SetLevel(c.State, c.Shop, c.Webhooks, item, location, c.Shop.Levels.GetValueOrDefault((item, location)) + quantity);
                }
            }

            c.Webhooks.Emit(c.Shop, "orders/cancelled", new JsonObject { ["id"] = order.Id, ["cancelled_at"] = ShopifyJson.Time(order.CancelledAt.Value) });
            return new JsonObject
            {
                ["job"] = new JsonObject { ["id"] = ShopifyJson.Gid("Job", c.State.NextShopifyId++), ["done"] = true },
                ["orderCancelUserErrors"] = new JsonArray(),
            };
        }

        /// <summary>tagsAdd on an order: the tags it lacks are added (reference §B: tags are a set).</summary>
        public static JsonNode? AddTags(Context c, JsonObject args)
        {
            var id = ShopifyJson.IdOf(args["id"], "Order");
            if (id is null || !c.Shop.Orders.TryGetValue(id.Value, out var order))
            {
                return Payload("node", null, UserError(["id"], "Resource does not exist"));
            }

            var tags = args["tags"] switch
            {
                JsonArray a => a.Select(t => t!.GetValue<string>().Trim()).ToList(),
                JsonValue v => v.GetValue<string>().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
                _ => [],
            };
            if (tags.Count == 0 || tags.Any(t => t.Length is 0 or > 255))
            {
                return Payload("node", null, UserError(["tags"], "Tags must be 1 to 255 characters"));
            }

            order.Tags.AddRange(tags.Where(t => !order.Tags.Contains(t)).Distinct());
            return Payload("node", new JsonObject { ["id"] = ShopifyJson.Gid("Order", order.Id) });
        }

        /// <summary>fulfillmentOrderHold / fulfillmentOrderReleaseHold: only an OPEN fulfillment order is held, only an ON_HOLD one released.</summary>
        public static JsonNode? Hold(Context c, JsonObject args, bool hold)
        {
            var id = ShopifyJson.IdOf(args["id"], "FulfillmentOrder");
            var order = c.Shop.Orders.Values.FirstOrDefault(o => o.FulfillmentOrderId == id);
            if (order is null)
            {
                return Payload("fulfillmentOrder", null, UserError(["id"], "Fulfillment order does not exist."));
            }

            var status = ShopifyJson.FulfillmentOrderStatus(order);
            if (hold ? status != "OPEN" : status != "ON_HOLD")
            {
                return Payload("fulfillmentOrder", null, UserError(["id"], hold ? "The fulfillment order's status is not open." : "The fulfillment order is not on hold."));
            }

            order.OnHold = hold;
            order.HoldNotes = hold ? (args["fulfillmentHold"]?["reasonNotes"]?.GetValue<string>()) : null;
            var fulfillmentOrder = (JsonObject)ShopifyJson.Order(order)["fulfillmentOrders"]!["nodes"]![0]!.DeepClone();
            return Payload("fulfillmentOrder", fulfillmentOrder);
        }

        public static JsonNode? Fulfil(Context c, JsonObject args)
        {
            var input = args["fulfillment"] as JsonObject ?? [];
            var groups = input["lineItemsByFulfillmentOrder"] as JsonArray ?? [];
            if (groups.Count == 0)
            {
                return Payload("fulfillment", null, UserError(["fulfillment", "lineItemsByFulfillmentOrder"], "At least one fulfillment order is required."));
            }

            var picks = new List<(SOrder Order, SLine Line, int Quantity)>();
            foreach (var group in groups)
            {
                var foId = ShopifyJson.IdOf(group?["fulfillmentOrderId"], "FulfillmentOrder");
                var order = c.Shop.Orders.Values.FirstOrDefault(o => o.FulfillmentOrderId == foId);
                if (order is null || order.CancelledAt is not null)
                {
                    return Payload("fulfillment", null, UserError(["fulfillment", "lineItemsByFulfillmentOrder", "fulfillmentOrderId"], "Fulfillment order does not exist or is not open."));
                }

                if (order.OnHold)
                {
                    return Payload("fulfillment", null, UserError(["fulfillment", "lineItemsByFulfillmentOrder", "fulfillmentOrderId"], "Fulfillment order is on hold and cannot be fulfilled."));
                }

                // No line items listed: everything that remains on the fulfillment order.
                var requested = group!["fulfillmentOrderLineItems"] as JsonArray;
                if (requested is null || requested.Count == 0)
                {
                    picks.AddRange(order.Lines.Where(l => l.Quantity > l.Fulfilled).Select(l => (order, l, l.Quantity - l.Fulfilled)));
                    continue;
                }

                foreach (var r in requested)
                {
                    var lineId = ShopifyJson.IdOf(r?["id"], "FulfillmentOrderLineItem");
                    var line = order.Lines.FirstOrDefault(l => l.FulfillmentOrderLineItemId == lineId);
                    var quantity = (int)(r?["quantity"]?.GetValue<long>() ?? 0);
                    if (line is null || quantity < 1 || quantity > line.Quantity - line.Fulfilled)
                    {
                        return Payload("fulfillment", null, UserError(["fulfillment", "lineItemsByFulfillmentOrder", "fulfillmentOrderLineItems"],
                            "Invalid fulfillment order line item quantity requested."));
                    }

                    picks.Add((order, line, quantity));
                }
            }

            if (picks.Count == 0 || picks.Select(p => p.Order).Distinct().Count() > 1)
            {
                return Payload("fulfillment", null, UserError(["fulfillment"], "Nothing to fulfil, or fulfillment orders of different orders."));
            }

            var tracking = input["trackingInfo"] as JsonObject ?? [];
            var numbers = (tracking["numbers"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList()
                          ?? (tracking["number"]?.GetValue<string>() is { } single ? [single] : []);
            var urls = (tracking["urls"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList()
                       ?? (tracking["url"]?.GetValue<string>() is { } u ? [u] : []);
            var company = tracking["company"]?.GetValue<string>();
            var target = picks[0].Order;
            foreach (var (_, line, quantity) in picks)
            {
                line.Fulfilled += quantity;
            }

            var now = c.State.Clock.GetUtcNow();
            var fulfillment = new SFulfillment(c.State.NextShopifyId++, "SUCCESS", company, numbers, urls,
                picks.Select(p => (p.Line.Id, p.Quantity)).ToList(), now);
            target.Fulfillments.Add(fulfillment);
            c.Webhooks.Emit(c.Shop, "fulfillments/create", new JsonObject
            {
                ["id"] = fulfillment.Id,
                ["order_id"] = target.Id,
                ["status"] = "success",
                ["created_at"] = ShopifyJson.Time(now),
                ["updated_at"] = ShopifyJson.Time(now),
                ["tracking_company"] = company,
                ["tracking_number"] = numbers.FirstOrDefault(),
                ["tracking_numbers"] = new JsonArray(numbers.Select(n => (JsonNode)n).ToArray()),
                ["tracking_url"] = urls.FirstOrDefault(),
                ["tracking_urls"] = new JsonArray(urls.Select(n => (JsonNode)n).ToArray()),
                ["line_items"] = new JsonArray(picks.Select(p => (JsonNode)new JsonObject
                {
                    ["id"] = p.Line.Id, ["sku"] = p.Line.Sku, ["quantity"] = p.Quantity, ["title"] = p.Line.Title,
                }).ToArray()),
            });
            return Payload("fulfillment", ShopifyJson.Fulfillment(fulfillment));
        }
    }
}
