using System.Text.Json.Nodes;

namespace Rakuten.Platform.Sandbox.Shopify;

public static partial class ShopifyAdminApi
{
    /// <summary>Order editing (reference §C.3): orderEditBegin opens a session whose CalculatedOrder shares its number;
    /// orderEditSetQuantity and orderEditAddVariant stage changes; orderEditCommit applies them — a decrease with restock
    /// gives the units back to stock, an increase or an added variant takes them — and emits orders/edited and
    /// orders/updated. Only what is not fulfilled can be taken away; a cancelled order cannot be edited.</summary>
    private static class OrderEdits
    {
        public static JsonNode? Begin(Context c, JsonObject args)
        {
            var id = ShopifyJson.IdOf(args["id"], "Order");
            if (id is null || !c.Shop.Orders.TryGetValue(id.Value, out var order))
            {
                return Session(null, null, UserError(["id"], "The order does not exist."));
            }

            if (order.CancelledAt is not null)
            {
                return new JsonObject
                {
                    ["calculatedOrder"] = null, ["orderEditSession"] = null,
                    ["userErrors"] = new JsonArray(new JsonObject { ["field"] = null, ["message"] = "The order cannot be edited." }),
                };
            }

            var session = new SEditSession { Id = c.State.NextShopifyId++, OrderId = order.Id };
            c.Shop.Edits[session.Id] = session;
            return Session(c.Shop, session);
        }

        public static JsonNode? SetQuantity(Context c, JsonObject args)
        {
            if (Find(c, args) is not { } session)
            {
                return Session(null, null, UserError(["id"], "The calculated order does not exist."));
            }

            var order = c.Shop.Orders[session.OrderId];
            var lineId = ShopifyJson.IdOf(args["lineItemId"], "CalculatedLineItem");
            var quantity = (int)(args["quantity"]?.GetValue<long>() ?? -1);
            var line = order.Lines.FirstOrDefault(l => l.Id == lineId);
            var added = session.Added.FindIndex(a => a.LineId == lineId);
            if (line is null && added < 0)
            {
                return Session(c.Shop, session, UserError(["lineItemId"], "The line item does not exist on the order."));
            }

            if (quantity < 0)
            {
                return Session(c.Shop, session, UserError(["quantity"], "must be greater than or equal to 0"));
            }

            if (line is not null && quantity < line.Fulfilled)
            {
                return Session(c.Shop, session, UserError(["quantity"], $"cannot be less than the {line.Fulfilled} unit(s) already fulfilled"));
            }

            if (line is not null)
            {
                session.Quantities[line.Id] = (quantity, args["restock"]?.GetValue<bool>() == true);
            }
            else
            {
                session.Added[added] = (session.Added[added].LineId, session.Added[added].Variant, quantity);
            }

            return Session(c.Shop, session);
        }

        public static JsonNode? AddVariant(Context c, JsonObject args)
        {
            if (Find(c, args) is not { } session)
            {
                return Session(null, null, UserError(["id"], "The calculated order does not exist."));
            }

            var quantity = (int)(args["quantity"]?.GetValue<long>() ?? 0);
            if (quantity < 1)
            {
                return Session(c.Shop, session, UserError(["quantity"], "must be greater than 0"));
            }

            var variantId = ShopifyJson.IdOf(args["variantId"], "ProductVariant");
            var variant = c.Shop.Products.Values.SelectMany(p => p.Variants).FirstOrDefault(v => v.Id == variantId);
            if (variant is null)
            {
                return Session(c.Shop, session, UserError(["variantId"], "The variant does not exist in the shop."));
            }

            var order = c.Shop.Orders[session.OrderId];
            if (args["allowDuplicates"]?.GetValue<bool>() != true
                && (order.Lines.Any(l => l.VariantId == variant.Id && l.Quantity > 0) || session.Added.Any(a => a.Variant.Id == variant.Id)))
            {
                return Session(c.Shop, session, UserError(["id"], $"The {variant.Title} was not added because it's already on the order."));
            }

            session.Added.Add((c.State.NextShopifyId++, variant, quantity));
            return Session(c.Shop, session);
        }

        public static JsonNode? Commit(Context c, JsonObject args)
        {
            if (Find(c, args) is not { } session)
            {
                return new JsonObject { ["order"] = null, ["successMessages"] = new JsonArray(), ["userErrors"] = new JsonArray(UserError(["id"], "The calculated order does not exist.")) };
            }

            var order = c.Shop.Orders[session.OrderId];
            c.Shop.Edits.Remove(session.Id);
            var additions = new JsonArray();
            var removals = new JsonArray();
            foreach (var (lineId, (quantity, restock)) in session.Quantities)
            {
                var line = order.Lines.First(l => l.Id == lineId);
                var delta = quantity - line.Quantity;
                if (delta == 0)
                {
                    continue;
                }

                line.Quantity = quantity;
                (delta > 0 ? additions : removals).Add(new JsonObject { ["id"] = line.Id, ["delta"] = Math.Abs(delta) });
                if (line.VariantId is { } variantId && c.Shop.Products.Values.SelectMany(p => p.Variants).FirstOrDefault(v => v.Id == variantId) is { } variant
                    && (delta > 0 || restock))
                {
                    Move(c, order, variant.InventoryItemId, -delta);
                }
            }

            foreach (var (lineId, variant, quantity) in session.Added.Where(a => a.Quantity > 0))
            {
                order.Lines.Add(new SLine
                {
                    Id = lineId, FulfillmentOrderLineItemId = c.State.NextShopifyId++, VariantId = variant.Id, Sku = variant.Sku, Title = variant.Title,
                    Quantity = quantity, OriginalQuantity = quantity, UnitPrice = variant.Price,
                });
                additions.Add(new JsonObject { ["id"] = lineId, ["delta"] = quantity });
                Move(c, order, variant.InventoryItemId, -quantity);
            }

            var note = args["staffNote"]?.GetValue<string>() ?? "";
            order.Edits.Add(note);
            var now = c.State.Clock.GetUtcNow();
            c.Webhooks.Emit(c.Shop, "orders/edited", new JsonObject
            {
                ["order_edit"] = new JsonObject
                {
                    ["id"] = session.Id, ["order_id"] = order.Id, ["created_at"] = ShopifyJson.Time(now), ["notify_customer"] = args["notifyCustomer"]?.GetValue<bool>() == true,
                    ["staff_note"] = note, ["line_items"] = new JsonObject { ["additions"] = additions, ["removals"] = removals },
                },
            });
            c.Webhooks.Emit(c.Shop, "orders/updated", new JsonObject { ["id"] = order.Id, ["updated_at"] = ShopifyJson.Time(now) });
            return new JsonObject
            {
                ["order"] = ShopifyJson.Order(order), ["successMessages"] = new JsonArray("Order updated"), ["userErrors"] = new JsonArray(),
            };
        }

        /// <summary>Units into (positive) or out of stock at the location the order took this item from, else the fullest one.</summary>
        private static void Move(Context c, SOrder order, long item, int units)
        {
            var location = order.Decremented.Where(d => d.Item == item).Select(d => d.Location).FirstOrDefault();
            if (location == 0)
            {
                location = Orders.FullestLevel(c.Shop, item).Location;
            }

            if (location == 0)
            {
                return; // not stocked anywhere: nothing to count
            }

            SetLevel(c.State, c.Shop, c.Webhooks, item, location, c.Shop.Levels.GetValueOrDefault((item, location)) + units);
            var index = order.Decremented.FindIndex(d => d.Item == item && d.Location == location);
            var taken = (index < 0 ? 0 : order.Decremented[index].Quantity) - units;
            if (index >= 0) order.Decremented.RemoveAt(index);
            if (taken > 0) order.Decremented.Add((item, location, taken));
        }

        private static SEditSession? Find(Context c, JsonObject args)
        {
            var id = ShopifyJson.IdOf(args["id"], "CalculatedOrder") ?? ShopifyJson.IdOf(args["id"], "OrderEditSession");
            return id is { } n && c.Shop.Edits.TryGetValue(n, out var session) ? session : null;
        }

        /// <summary>The session's payload: the CalculatedOrder as it would be after commit, its session, the errors.</summary>
        private static JsonObject Session(ShopifyShop? shop, SEditSession? session, params JsonObject[] errors)
        {
            if (shop is null || session is null)
            {
                return new JsonObject { ["calculatedOrder"] = null, ["orderEditSession"] = null, ["userErrors"] = new JsonArray(errors.Select(e => (JsonNode)e).ToArray()) };
            }

            var order = shop.Orders[session.OrderId];
            var lines = order.Lines.Select(l =>
            {
                var quantity = session.Quantities.TryGetValue(l.Id, out var staged) ? staged.Quantity : l.Quantity;
                return (JsonNode)new JsonObject
                {
                    ["id"] = ShopifyJson.Gid("CalculatedLineItem", l.Id), ["sku"] = l.Sku, ["title"] = l.Title, ["quantity"] = quantity,
                    ["editableQuantity"] = quantity - l.Fulfilled, ["variant"] = l.VariantId is { } v ? new JsonObject { ["id"] = ShopifyJson.Gid("ProductVariant", v) } : null,
                };
            }).Concat(session.Added.Select(a => (JsonNode)new JsonObject
            {
                ["id"] = ShopifyJson.Gid("CalculatedLineItem", a.LineId), ["sku"] = a.Variant.Sku, ["title"] = a.Variant.Title, ["quantity"] = a.Quantity,
                ["editableQuantity"] = a.Quantity, ["variant"] = new JsonObject { ["id"] = ShopifyJson.Gid("ProductVariant", a.Variant.Id) },
            })).ToArray();
            return new JsonObject
            {
                ["calculatedOrder"] = new JsonObject
                {
                    ["id"] = ShopifyJson.Gid("CalculatedOrder", session.Id),
                    ["lineItems"] = new JsonObject { ["nodes"] = new JsonArray(lines) },
                },
                ["orderEditSession"] = new JsonObject { ["id"] = ShopifyJson.Gid("OrderEditSession", session.Id) },
                ["userErrors"] = new JsonArray(errors.Select(e => (JsonNode)e).ToArray()),
            };
        }
    }
}
