using System.Net.Http.Json;
using FluentAssertions;
using Grpc.Core;
using Rakuten.Platform.Api.V1;
using V1 = Rakuten.Platform.Api.V1;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;
using static Rakuten.Platform.Integration.Tests.Grpc.GrpcAssert;

namespace Rakuten.Platform.Integration.Tests.Grpc;

/// <summary>The gRPC Orders and Holds services (issue 18) with the .NET client, on RabbitMQ, PostgreSQL and the Sandbox.</summary>
public sealed class OrdersGrpcTests
{
    [Fact]
    public async Task Orders_list_page_and_read_with_their_timeline_and_held_orders_are_dismissed_or_refused_as_their_hold_allows()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        var managed = await ManageNumberAsync(m);
        var good = await PlaceAsync(m, RmsOrder(managed, "MUG-1"));
        var unmanaged = await PlaceAsync(m, RmsOrder("mug-001", "MUG-1"));
        var unknown = await PlaceAsync(m, RmsOrder(managed, "BOWL-9"));
        await PollAsync(m);
        var orders = new V1.Orders.OrdersClient(m.Hosts.Grpc);
        var holds = new V1.Holds.HoldsClient(m.Hosts.Grpc);
        await Marketplace.WaitAsync(async () => (await orders.ListOrdersAsync(new ListOrdersRequest())).Orders.Any(o => o.ShopifyOrder is not null), "the good order in Shopify", setup: m);

        // Paging: three orders, two a page; a token with other filters is refused, naming the field.
        var first = await orders.ListOrdersAsync(new ListOrdersRequest { PageSize = 2 });
        first.Orders.Should().HaveCount(2);
        first.NextPageToken.Should().NotBeEmpty();
        var second = await orders.ListOrdersAsync(new ListOrdersRequest { PageSize = 2, PageToken = first.NextPageToken });
        second.Orders.Should().ContainSingle();
        second.NextPageToken.Should().BeEmpty();
        first.Orders.Concat(second.Orders).Select(o => o.ChannelOrderId).Should().BeEquivalentTo([good, unmanaged, unknown]);
        Violations(await FailsAsync(orders.ListOrdersAsync(new ListOrdersRequest { PageSize = 2, PageToken = first.NextPageToken, Status = OrderStatus.Held }),
            StatusCode.InvalidArgument)).Should().Equal("page_token");
        (await orders.ListOrdersAsync(new ListOrdersRequest { Status = OrderStatus.Held })).Orders.Select(o => o.ChannelOrderId).Should().BeEquivalentTo([unmanaged, unknown]);
        (await orders.ListOrdersAsync(new ListOrdersRequest { Channel = Channel.RakutenFr })).Orders.Should().BeEmpty();
        (await orders.ListOrdersAsync(new ListOrdersRequest { OrderedAfter = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)) }))
            .Orders.Should().BeEmpty();
        (await orders.ListOrdersAsync(new ListOrdersRequest { Connection = $"connections/{m.Rms}" })).Orders.Should().HaveCount(3);

        // One order, with its lines, Shopify order and timeline.
        var accepted = first.Orders.Concat(second.Orders).Single(o => o.ChannelOrderId == good);
        var order = await orders.GetOrderAsync(new GetOrderRequest { Name = accepted.Name });
        order.Status.Should().Be(OrderStatus.Accepted);
        order.Channel.Should().Be(Channel.RakutenJp);
        order.Lines.Should().ContainSingle().Which.Sku.Should().Be("MUG-1");
        order.ShopifyOrder.DisplayName.Should().NotBeEmpty();
        (await orders.GetOrderTimelineAsync(new GetOrderTimelineRequest { Name = order.Name })).Events.Select(e => e.Type)
            .Should().ContainInOrder("OrderReceived", "OrderWasAccepted", "OrderWasExported");

        // Wrong names and another tenant's order: INVALID_ARGUMENT naming the field; NOT_FOUND.
        Violations(await FailsAsync(orders.GetOrderAsync(new GetOrderRequest { Name = "orders/not-a-uuid" }), StatusCode.InvalidArgument)).Should().Equal("name");
        using var stranger = m.Hosts.GrpcFor(Guid.NewGuid(), ["admin"]);
        await FailsAsync(new V1.Orders.OrdersClient(stranger).GetOrderAsync(new GetOrderRequest { Name = order.Name }), StatusCode.NotFound);
        await FailsAsync(new V1.Orders.OrdersClient(stranger).CancelOrderAsync(new CancelOrderRequest { Name = order.Name }), StatusCode.NotFound);
        using var anonymous = m.Hosts.GrpcFor(null, []);
        await FailsAsync(new V1.Orders.OrdersClient(anonymous).GetOrderAsync(new GetOrderRequest { Name = order.Name }), StatusCode.Unauthenticated);

        // Holds: what each allows; a viewer may not act; a dismissed hold leaves the list, with who did it on the timeline.
        var held = (await holds.ListHoldsAsync(new ListHoldsRequest())).Holds;
        held.Should().HaveCount(2);
        var foreign = held.Single(h => h.ChannelOrderId == unmanaged);
        foreign.Reason.Should().Be(HoldReason.UnmanagedLine);
        foreign.AllowedActions.Should().BeEquivalentTo([HoldAction.Retry, HoldAction.Dismiss]);
        var missing = held.Single(h => h.ChannelOrderId == unknown);
        missing.Reason.Should().Be(HoldReason.UnknownSku);
        missing.AllowedActions.Should().Equal(HoldAction.Retry);
        var refused = await FailsAsync(holds.DismissHoldAsync(new DismissHoldRequest { Name = missing.Name }), StatusCode.FailedPrecondition);
        refused.Status.Detail.Should().Contain("cannot be dismissed");
        await FailsAsync(holds.ReleaseHoldAsync(new ReleaseHoldRequest { Name = missing.Name }), StatusCode.FailedPrecondition);
        using var viewer = m.Hosts.GrpcFor(m.Tenant, ["viewer"]);
        await FailsAsync(new V1.Holds.HoldsClient(viewer).DismissHoldAsync(new DismissHoldRequest { Name = foreign.Name }), StatusCode.PermissionDenied);
        Violations(await FailsAsync(holds.DismissHoldAsync(new DismissHoldRequest { Name = foreign.Name, Note = "bad\0note" }), StatusCode.InvalidArgument))
            .Should().Equal("note");
        Violations(await FailsAsync(holds.DismissHoldAsync(new DismissHoldRequest { Name = foreign.Order }), StatusCode.InvalidArgument)).Should().Equal("name");

        var dismissed = await holds.DismissHoldAsync(new DismissHoldRequest { Name = foreign.Name, Note = "fulfilled in RMS" });
        dismissed.Hold.DismissTime.Should().NotBeNull();
        (await holds.ListHoldsAsync(new ListHoldsRequest())).Holds.Select(h => h.ChannelOrderId).Should().Equal(unknown);
        (await holds.ListHoldsAsync(new ListHoldsRequest { ShowDismissed = true })).Holds.Should().HaveCount(2);
        await FailsAsync(holds.DismissHoldAsync(new DismissHoldRequest { Name = foreign.Name }), StatusCode.FailedPrecondition);
        var timeline = (await orders.GetOrderTimelineAsync(new GetOrderTimelineRequest { Name = foreign.Order })).Events;
        timeline.Should().Contain(e => e.Type == "OrderHoldWasDismissed" && e.Summary.Contains("fulfilled in RMS"));
        timeline.Should().Contain(e => e.Type == "order.dismiss" && e.Actor.StartsWith("user:", StringComparison.Ordinal));

        // Cancelling: a bad reason names the field; then the marketplace is asked.
        Violations(await FailsAsync(orders.CancelOrderAsync(new CancelOrderRequest { Name = order.Name, Reason = "Bored" }), StatusCode.InvalidArgument))
            .Should().Equal("reason");
        var cancelling = await orders.CancelOrderAsync(new CancelOrderRequest { Name = order.Name, Reason = "OutOfStock" });
        cancelling.Status.Should().Be(OrderStatus.CancellationRequested);
        cancelling.Cancellation.Reason.Should().Be("OutOfStock");
        await FailsAsync(orders.CancelOrderAsync(new CancelOrderRequest { Name = order.Name }), StatusCode.FailedPrecondition);
    }

    [Fact]
    public async Task Ops_reads_a_tenant_it_names_in_metadata_and_is_audited_but_never_acts_and_an_expired_deadline_does_nothing()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 1), "the mug on RMS", setup: m);
        await PlaceAsync(m, RmsOrder(await ManageNumberAsync(m), "MUG-1"));
        await PollAsync(m);
        var orders = new V1.Orders.OrdersClient(m.Hosts.Grpc);
        await Marketplace.WaitAsync(async () => (await orders.ListOrdersAsync(new ListOrdersRequest())).Orders.Count == 1, "the order", setup: m);
        var name = (await orders.ListOrdersAsync(new ListOrdersRequest())).Orders.Single().Name;

        using var ops = m.Hosts.GrpcFor(null, ["ops"], ("x-tenant-id", m.Tenant.ToString()));
        (await new V1.Orders.OrdersClient(ops).GetOrderAsync(new GetOrderRequest { Name = name })).Name.Should().Be(name);
        await FailsAsync(new V1.Orders.OrdersClient(ops).CancelOrderAsync(new CancelOrderRequest { Name = name }), StatusCode.PermissionDenied);
        using var opsWithoutTenant = m.Hosts.GrpcFor(null, ["ops"]);
        Violations(await FailsAsync(new V1.Orders.OrdersClient(opsWithoutTenant).GetOrderAsync(new GetOrderRequest { Name = name }), StatusCode.InvalidArgument))
            .Should().Equal("x-tenant-id");
        var audit = await m.Hosts.Platform.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>("/orders/audit");
        audit!.Should().Contain(e => e!["action"]!.GetValue<string>().StartsWith("ops.read", StringComparison.Ordinal));

        // A tenant naming another tenant finds nothing there.
        using var nosy = m.Hosts.GrpcFor(Guid.NewGuid(), ["admin"], ("x-tenant-id", m.Tenant.ToString()));
        await FailsAsync(new V1.Orders.OrdersClient(nosy).GetOrderAsync(new GetOrderRequest { Name = name }), StatusCode.NotFound);

        // The deadline goes into the call: one already past is DEADLINE_EXCEEDED and cancels nothing.
        await FailsAsync(orders.CancelOrderAsync(new CancelOrderRequest { Name = name }, deadline: DateTime.UtcNow.AddMilliseconds(-1)), StatusCode.DeadlineExceeded);
        (await orders.GetOrderAsync(new GetOrderRequest { Name = name })).Status.Should().Be(OrderStatus.Accepted);
    }
}
