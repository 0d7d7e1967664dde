using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Contracts.Shipping;
using Rakuten.Platform.Orders;
using Rakuten.Platform.Orders.ImportingOrders;
using Rakuten.Platform.Orders.TrackingStatus;
using Rakuten.Platform.Shipping;
using Rakuten.Platform.Shipping.ReportingShipments;
using Rakuten.Platform.TestService.Testing;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;

namespace Rakuten.Platform.Integration.Tests;

/// <summary>A database written by the version before Marten — its orders, holds and shipments as rows and an
/// <c>events</c> table in that version's JSON — is upgraded when the services start, and everything is found and
/// decided on afterwards.</summary>
public sealed class UpgradeTests
{
    private static readonly DateTimeOffset Then = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_database_written_before_Marten_is_upgraded_on_start_and_every_order_hold_and_shipment_is_found_and_decided_on()
    {
        var infrastructure = await LocalInfrastructure.EnsureStartedAsync();
        var run = Guid.NewGuid().ToString("N")[..8];
        var (ordersDb, shippingDb) = ($"test_legacy_orders_{run}", $"test_legacy_shipping_{run}");
        string On(string database) => new NpgsqlConnectionStringBuilder(infrastructure.Postgres) { Database = database }.ToString();
        var legacy = new Legacy(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        try
        {
            await WriteLegacyAsync(infrastructure, On(ordersDb), On(shippingDb), legacy);

            await using var hosts = await ChannelHosts.StartAsync(withCatalog: true, settings: new Dictionary<string, string?>
            {
                ["ConnectionStrings:orders"] = On(ordersDb),
                ["ConnectionStrings:shipping"] = On(shippingDb),
            });
            var api = hosts.ClientFor(legacy.Tenant, TestIdentity.AllTenantRoles);

            var orders = (await api.GetFromJsonAsync<JsonArray>("/orders"))!;
            orders.Select(o => (o!["channelOrderId"]!.GetValue<string>(), o["status"]!.GetValue<string>()))
                .Should().BeEquivalentTo([("legacy-shipped", "Shipped"), ("legacy-unknown", "Held"), ("legacy-unmanaged", "Held")]);
            (await api.GetFromJsonAsync<JsonArray>("/orders/holds"))!.Select(h => h!["reason"]!.GetValue<string>())
                .Should().BeEquivalentTo(["UnknownSku", "UnmanagedLine"]);
            var shipped = (await api.GetFromJsonAsync<JsonObject>($"/orders/{legacy.Shipped}"))!;
            shipped["history"]!.AsArray().Select(e => (e!["type"]!.GetValue<string>(), e["recordedAt"]!.GetValue<DateTimeOffset>()))
                .Should().Equal(("OrderReceived", Then), ("OrderWasAccepted", Then.AddSeconds(1)), ("OrderWasExported", Then.AddSeconds(2)),
                    ("OrderShipmentChanged", Then.AddHours(1)), ("OrderStatusWasChanged", Then.AddHours(1)));
            shipped["shipments"]!.AsArray().Single()!["status"]!.GetValue<string>().Should().Be("Confirmed");
            var shipments = (await api.GetFromJsonAsync<JsonArray>($"/shipping/orders/{legacy.Shipped}/shipments"))!;
            shipments.Single()!["trackingNumbers"]!.AsArray().Single()!.GetValue<string>().Should().Be("4912-0000-0001");

            await using (var scope = hosts.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
                (await db.Events.CountAsync()).Should().Be(0, "the rows were copied into Marten and left the table");
                var store = scope.ServiceProvider.GetRequiredService<EventStore<OrdersDbContext>>();
                (await store.StateAsync<OrderState>(OrderStream.Id(legacy.Shipped))).Should().Match<(OrderState? State, long Version)>(
                    s => s.State!.Status == UnifiedOrderStatus.Shipped && s.State.ShopifyOrderName == "#1001" && s.Version == 5);
                var shipping = scope.ServiceProvider.GetRequiredService<EventStore<ShippingDbContext>>();
                (await shipping.LoadAsync(ShipmentStream.Id(legacy.Shipment))).Single().Data.Should().BeOfType<ShipmentWasRecorded>()
                    .Which.Status.Should().Be(ShipmentStatus.Confirmed);
            }

            // Decided on from the upgraded streams: the held orders stay held for their reasons (the unmanaged line is read
            // from an order stored before adapters stated it), and the merchant's dismissal is recorded with who did it.
            (await api.PostAsync($"/orders/{legacy.Unknown}/retry", null)).EnsureSuccessStatusCode();
            (await api.PostAsync($"/orders/{legacy.Unmanaged}/retry", null)).EnsureSuccessStatusCode();
            (await api.GetFromJsonAsync<JsonArray>("/orders/holds"))!.Should().HaveCount(2);
            (await api.PostAsJsonAsync($"/orders/{legacy.Unmanaged}/dismiss", new { note = "fulfilled in RMS" })).EnsureSuccessStatusCode();
            var dismissed = (await api.GetFromJsonAsync<JsonObject>($"/orders/{legacy.Unmanaged}"))!["history"]!.AsArray().Last()!;
            dismissed["type"]!.GetValue<string>().Should().Be("OrderHoldWasDismissed");
            dismissed["actor"]!.GetValue<string>().Should().StartWith("user:");

            await RebuildingProjectionsChangesNothingAsync(hosts, api);
        }
        finally
        {
            await infrastructure.DropDatabasesAsync([ordersDb, shippingDb]);
        }
    }

    [Fact]
    public async Task In_embedded_mode_shipments_recorded_before_streams_get_theirs_once_and_are_decided_on()
    {
        var directory = Directory.CreateTempSubdirectory("legacy-embedded-");
        try
        {
            var builder = WebApplication.CreateBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Platform:Mode"] = "Embedded", ["Platform:DataDirectory"] = directory.FullName });
            builder.AddServiceDefaults("legacy-embedded");
            builder.AddShippingService();
            await using var app = builder.Build();
            await ActivatorUtilities.CreateInstance<SchemaInitializer<ShippingDbContext>>(app.Services).StartAsync(CancellationToken.None);
            var (order, shipment, answered) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ShippingDbContext>();
                db.Orders.Add(new ShippingOrder
                {
                    OrderId = order, TenantId = Guid.NewGuid(), ConnectionId = Guid.NewGuid(), Channel = "RakutenJp", ChannelOrderId = "legacy", Order = "{}", UpdatedAt = Then,
                });
                foreach (var (id, fulfillment) in new[] { (shipment, "7000000001"), (answered, "7000000002") })
                {
                    db.Shipments.Add(new Shipment
                    {
                        ShipmentId = id, OrderId = order, FulfillmentId = fulfillment, TrackingNumbers = "[]", Packages = "[]", Units = 1,
                        Status = ShipmentStatus.Dispatched, Version = 1, ShippedAt = Then, UpdatedAt = Then,
                    });
                }

                await db.SaveChangesAsync();
            }

            // A marketplace's answer for a shipment whose row has no stream yet (written by the previous version after the
            // start-up upgrade): the stream opens with the row, then the answer is decided on it.
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var shipments = scope.ServiceProvider.GetRequiredService<EventStore<ShippingDbContext>>();
                var row = await shipments.Db.Shipments.SingleAsync(s => s.ShipmentId == answered);
                await ShipmentLedger.DecideAsync(shipments.Db, shipments, await shipments.Db.Orders.SingleAsync(), row, new ConfirmShipment(), Then.AddHours(1), CancellationToken.None);
                await shipments.Db.SaveChangesAsync();
                (await shipments.LoadAsync(ShipmentStream.Id(answered))).Select(e => e.Data.GetType()).Should().Equal(typeof(ShipmentWasRecorded), typeof(ShipmentWasConfirmed));
                (await shipments.Db.Shipments.AsNoTracking().SingleAsync(s => s.ShipmentId == answered)).Status.Should().Be(ShipmentStatus.Confirmed);
            }

            var upgrade = ActivatorUtilities.CreateInstance<ShipmentStreamsUpgrade>(app.Services);
            (await upgrade.UpgradeAsync(CancellationToken.None)).Should().Be(1);
            (await upgrade.UpgradeAsync(CancellationToken.None)).Should().Be(0, "a shipment with a stream is left alone");

            await using var check = app.Services.CreateAsyncScope();
            var store = check.ServiceProvider.GetRequiredService<EventStore<ShippingDbContext>>();
            var (state, version) = await store.StateAsync<ShipmentState>(ShipmentStream.Id(shipment));
            (state!.Status, version).Should().Be((ShipmentStatus.Dispatched, 1L));
            ShipmentStream.Decide(new ConfirmShipment(), state).Should().Equal(new ShipmentWasConfirmed());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private sealed record Legacy(Guid Tenant, Guid Connection, Guid Shipped, Guid Unknown, Guid Unmanaged, Guid Shipment);

    /// <summary>The schema, then the rows and events exactly as the version before Marten wrote them.</summary>
    private static async Task WriteLegacyAsync(LocalInfrastructure infrastructure, string orders, string shipping, Legacy l)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Mode"] = "Distributed", ["ConnectionStrings:Postgres"] = infrastructure.Postgres, ["ConnectionStrings:RabbitMq"] = infrastructure.RabbitMq,
            ["ConnectionStrings:orders"] = orders, ["ConnectionStrings:shipping"] = shipping,
        });
        builder.Configuration.AddInMemoryCollection(TestIdentity.Settings());
        builder.AddServiceDefaults("legacy");
        builder.AddServiceDatabase<OrdersDbContext>(OrdersService.Name);
        builder.AddServiceDatabase<ShippingDbContext>(ShippingService.Name);
        await using var app = builder.Build();
        await ActivatorUtilities.CreateInstance<SchemaInitializer<OrdersDbContext>>(app.Services).StartAsync(CancellationToken.None);
        await ActivatorUtilities.CreateInstance<SchemaInitializer<ShippingDbContext>>(app.Services).StartAsync(CancellationToken.None);
        await using var scope = app.Services.CreateAsyncScope();

        var mug = Order("v_mug", "MUG-1");
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        var position = 0;
        void Event(Guid order, int version, string type, string data, DateTimeOffset at) => db.Events.Add(new EventRecord
        {
            Position = ++position, StreamId = $"order-{order}", StreamVersion = version, EventType = type, Data = data, RecordedAt = at,
            Metadata = """{"tenantId":null,"correlationId":null,"causationId":null,"traceParent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}""",
        });
        string Received(Guid order, string number, JsonNode content) =>
            new JsonObject { ["orderId"] = order, ["connectionId"] = l.Connection, ["channel"] = "RakutenJp", ["channelOrderId"] = number, ["channelStatus"] = "100", ["order"] = content, ["parseError"] = null }
                .ToJsonString();
        OrderRecord Row(Guid order, string number, JsonNode content, UnifiedOrderStatus status, DateTimeOffset updated) => new()
        {
            OrderId = order, TenantId = l.Tenant, ConnectionId = l.Connection, Channel = "RakutenJp", ChannelOrderId = number, ChannelStatus = "100", Status = status,
            Order = content.ToJsonString(), ReceivedAt = Then, UpdatedAt = updated,
        };

        Event(l.Shipped, 1, "order-received.v1", Received(l.Shipped, "legacy-shipped", mug), Then);
        Event(l.Shipped, 2, "order-accepted.v1", "{}", Then.AddSeconds(1));
        Event(l.Shipped, 3, "order-exported.v1", """{"shopifyOrderId":"gid://shopify/Order/1","shopifyOrderName":"#1001"}""", Then.AddSeconds(2));
        Event(l.Shipped, 4, "order-shipment-changed.v1", $$"""{"shipmentId":"{{l.Shipment}}","status":"Confirmed","units":1,"error":null}""", Then.AddHours(1));
        Event(l.Shipped, 5, "order-status-changed.v1", """{"from":"Accepted","to":"Shipped","channelStatus":null}""", Then.AddHours(1));
        var shippedRow = Row(l.Shipped, "legacy-shipped", mug, UnifiedOrderStatus.Shipped, Then.AddHours(1));
        (shippedRow.ShopifyOrderId, shippedRow.ShopifyOrderName) = ("gid://shopify/Order/1", "#1001");
        db.Orders.Add(shippedRow);
        db.Shipments.Add(new OrderShipment { ShipmentId = l.Shipment, OrderId = l.Shipped, Status = "Confirmed", Units = 1, UpdatedAt = Then.AddHours(1) });

        var bowl = Order("v_bowl", "BOWL-9");
        var unknownHold = new Hold(HoldReason.UnknownSku, "SKU BOWL-9 of line 'マグ' is not in the catalog.",
            "Add the SKU to a Shopify product (or correct it on the marketplace); the order is retried when the SKU appears.");
        Event(l.Unknown, 1, "order-received.v1", Received(l.Unknown, "legacy-unknown", bowl), Then);
        Event(l.Unknown, 2, "order-held.v1", JsonSerializer.Serialize(new { reason = "UnknownSku", detail = unknownHold.Detail, action = unknownHold.Action }), Then);
        var unknownRow = Row(l.Unknown, "legacy-unknown", bowl, UnifiedOrderStatus.Held, Then);
        (unknownRow.HoldReason, unknownRow.HoldDetail, unknownRow.HoldAction) = (unknownHold.Reason, unknownHold.Detail, unknownHold.Action);
        db.Orders.Add(unknownRow);

        var theirs = Order("mug-001", "MUG-1");
        var unmanagedHold = new Hold(HoldReason.UnmanagedLine, "contains items managed in Rakuten — fulfil it in RMS (line 'マグ', manage number mug-001)",
            "Fulfil this order in RMS: it contains items the platform does not manage.");
        Event(l.Unmanaged, 1, "order-received.v1", Received(l.Unmanaged, "legacy-unmanaged", theirs), Then);
        Event(l.Unmanaged, 2, "order-held.v1", JsonSerializer.Serialize(new { reason = "UnmanagedLine", detail = unmanagedHold.Detail, action = unmanagedHold.Action }), Then);
        var unmanagedRow = Row(l.Unmanaged, "legacy-unmanaged", theirs, UnifiedOrderStatus.Held, Then);
        (unmanagedRow.HoldReason, unmanagedRow.HoldDetail, unmanagedRow.HoldAction) = (unmanagedHold.Reason, unmanagedHold.Detail, unmanagedHold.Action);
        db.Orders.Add(unmanagedRow);
        db.CatalogSkus.Add(new CatalogSku { TenantId = l.Tenant, Sku = "MUG-1", ProductId = Guid.NewGuid() });
        await db.SaveChangesAsync();

        var ship = scope.ServiceProvider.GetRequiredService<ShippingDbContext>();
        ship.Orders.Add(new ShippingOrder
        {
            OrderId = l.Shipped, TenantId = l.Tenant, ConnectionId = l.Connection, Channel = "RakutenJp", ChannelOrderId = "legacy-shipped", Order = mug.ToJsonString(),
            ShopifyOrderId = "gid://shopify/Order/1", UpdatedAt = Then,
        });
        var package = new ShipmentPackage("1", new CarrierInfo("ヤマト運輸", "1001", "Autre", null), "4912-0000-0001", [new ShippedLine("MUG-1", "1", 1)]);
        ship.Shipments.Add(new Shipment
        {
            ShipmentId = l.Shipment, OrderId = l.Shipped, FulfillmentId = "7000000001", Carrier = "ヤマト運輸", TrackingNumbers = """["4912-0000-0001"]""",
            Packages = JsonSerializer.Serialize(new[] { package }, PlatformJson.Options), Units = 1, Status = ShipmentStatus.Confirmed, Version = 1, ShippedAt = Then.AddHours(1),
            UpdatedAt = Then.AddHours(1),
        });
        await ship.SaveChangesAsync();
    }

    /// <summary>An RMS order as the adapter mapped it before it stated <c>managed</c> and <c>amountsDetermined</c>.</summary>
    private static JsonNode Order(string manageNumber, string sku)
    {
        var order = new ChannelOrder(new Buyer("楽天 花子", "hanako@example.jp", null),
            new PostalAddress("楽天 花子", null, "玉川1-14-1", null, "世田谷区", "東京都", "158-0094", "JP", null), null,
            [new OrderLine("1", sku, manageNumber, manageNumber + "-v", sku, "マグ", 1, new Money(1500, "JPY"), [], null, null, [], null)],
            [new OrderPackage("1", null, ["1"])], new Money(500, "JPY"), [], new Money(0, "JPY"), new Money(0, "JPY"), new Money(2000, "JPY"), null, null, false, false, null,
            Then, null);
        var json = JsonSerializer.SerializeToNode(order, PlatformJson.Options)!.AsObject();
        json.Remove("amountsDetermined");
        foreach (var line in json["lines"]!.AsArray())
        {
            line!.AsObject().Remove("managed");
        }

        return json;
    }
}
