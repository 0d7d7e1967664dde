using FluentAssertions;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Rakuten.Platform.Api.V1;
using V1 = Rakuten.Platform.Api.V1;
using Rakuten.Platform.Integration.Tests.Infrastructure;
using Rakuten.Platform.TestService.Testing;
using static Rakuten.Platform.Integration.Tests.Infrastructure.OrderScenario;
using static Rakuten.Platform.Integration.Tests.Grpc.GrpcAssert;

namespace Rakuten.Platform.Integration.Tests.Grpc;

/// <summary>The gRPC Inventory, Catalog and Connections services, health and reflection, message and rate limits (issue 18).</summary>
public sealed class CatalogInventoryGrpcTests
{
    [Fact]
    public async Task Availability_products_listings_and_connections_read_over_gRPC_with_their_limits_and_never_a_credential()
    {
        await using var m = await Marketplace.StartAsync([("Mug", "MUG-1"), ("Bowl", "BOWL-1"), ("Cup", "CUP-1")]);
        await Marketplace.WaitAsync(async () => Marketplace.All(await m.ListingsAsync("RakutenJp"), "Published", 3), "the products on RMS", setup: m);
        await SetShopifyStockAsync(m, "MUG-1", 4);
        var inventory = new V1.Inventory.InventoryClient(m.Hosts.Grpc);
        await Marketplace.WaitAsync(async () => (await inventory.BatchGetAvailabilityAsync(new BatchGetAvailabilityRequest { Names = { "skus/MUG-1" } }))
            .Availabilities.Single().Locations.Sum(l => l.Available) == 4, "the mug's stock", setup: m);

        // Availability: per location, reserved, and what each Rakuten connection is told.
        var mug = await inventory.GetAvailabilityAsync(new GetAvailabilityRequest { Name = "skus/MUG-1" });
        mug.Locations.Should().ContainSingle().Which.Should().BeEquivalentTo(new LocationLevel { LocationId = m.Location, Available = 4 });
        mug.Reserved.Should().Be(0);
        mug.Channels.Should().HaveCount(2);
        mug.Channels.Single(c => c.Channel == Channel.RakutenJp).Quantity.Should().Be(4);
        await FailsAsync(inventory.GetAvailabilityAsync(new GetAvailabilityRequest { Name = "skus/NOPE" }), StatusCode.NotFound);
        Violations(await FailsAsync(inventory.GetAvailabilityAsync(new GetAvailabilityRequest { Name = "MUG-1" }), StatusCode.InvalidArgument)).Should().Equal("name");

        // A thousand SKUs at once, answered in the order asked; a thousand and one is refused naming the field.
        var names = Enumerable.Range(0, 999).Select(i => $"skus/NONE-{i}").Prepend("skus/MUG-1").ToList();
        var batch = await inventory.BatchGetAvailabilityAsync(new BatchGetAvailabilityRequest { Names = { names } });
        batch.Availabilities.Select(a => a.Name).Should().Equal(names);
        batch.Availabilities.Count(a => a.Found).Should().Be(1);
        Violations(await FailsAsync(inventory.BatchGetAvailabilityAsync(new BatchGetAvailabilityRequest { Names = { names.Append("skus/ONE-MORE") } }),
            StatusCode.InvalidArgument)).Should().Equal("names");
        Violations(await FailsAsync(inventory.BatchGetAvailabilityAsync(new BatchGetAvailabilityRequest { Names = { "skus/MUG-1", "skus/" } }),
            StatusCode.InvalidArgument)).Should().Equal("names[1]");
        // A message over the 1 MiB limit is refused before it is read.
        await FailsAsync(inventory.BatchGetAvailabilityAsync(new BatchGetAvailabilityRequest { Names = { new string('x', 2 * 1024 * 1024) } }), StatusCode.ResourceExhausted);

        // Catalog: listings page by page with their state; a product with its variants; a resync needs an operator.
        var catalog = new V1.Catalog.CatalogClient(m.Hosts.Grpc);
        var listings = new List<Listing>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await catalog.ListListingsAsync(new ListListingsRequest { PageSize = 2, PageToken = token, Channel = Channel.RakutenJp });
            listings.AddRange(page.Listings);
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        pages.Should().Be(2);
        listings.Should().HaveCount(3).And.OnlyContain(l => l.State == ListingState.Published && l.ChannelListingId.Length > 0);
        var product = await catalog.GetProductAsync(new GetProductRequest { Name = listings[0].Product });
        product.Variants.Should().ContainSingle().Which.Sku.Should().BeOneOf("MUG-1", "BOWL-1", "CUP-1");
        product.Variants[0].Price.CurrencyCode.Should().NotBeEmpty();
        using var viewer = m.Hosts.GrpcFor(m.Tenant, ["viewer"]);
        await FailsAsync(new V1.Catalog.CatalogClient(viewer).RequestResyncAsync(new RequestResyncRequest { Product = product.Name }), StatusCode.PermissionDenied);
        var resync = await catalog.RequestResyncAsync(new RequestResyncRequest { Connection = $"connections/{m.Rms}" });
        resync.Products.Should().Be(3);
        resync.Job.Should().StartWith("jobs/", "a whole catalog is sent by a job, read at /catalog/jobs/{id}");
        var job = await JobPolling.FinishedAsync(m.Hosts.Platform, await m.Hosts.Platform.GetAsync($"/catalog/{resync.Job}"), expect: System.Net.HttpStatusCode.OK);
        job["done"]!.GetValue<int>().Should().Be(3);
        Violations(await FailsAsync(catalog.RequestResyncAsync(new RequestResyncRequest()), StatusCode.InvalidArgument)).Should().Equal("target");
        using var stranger = m.Hosts.GrpcFor(Guid.NewGuid(), ["admin"]);
        await FailsAsync(new V1.Catalog.CatalogClient(stranger).GetProductAsync(new GetProductRequest { Name = product.Name }), StatusCode.NotFound);
        (await new V1.Catalog.CatalogClient(stranger).ListListingsAsync(new ListListingsRequest())).Listings.Should().BeEmpty();

        // Connections of all three channels, with health and expiry, and nothing of their credentials.
        var connections = new V1.Connections.ConnectionsClient(m.Hosts.Grpc);
        var all = (await connections.ListConnectionsAsync(new ListConnectionsRequest())).Connections;
        all.Select(c => c.Channel).Should().BeEquivalentTo([Channel.Shopify, Channel.RakutenJp, Channel.RakutenFr]);
        var rms = await connections.GetConnectionAsync(new GetConnectionRequest { Name = $"connections/{m.Rms}" });
        rms.Health.Should().Be(ConnectionHealth.Healthy);
        rms.CredentialsExpireTime.Should().NotBeNull("RMS license keys expire");
        rms.FlowsPaused.Should().BeFalse();
        var wire = string.Join("\n", all.Select(c => c.ToByteString().ToStringUtf8()));
        foreach (var secret in new[] { "sec-cat", "key-cat", "tok-cat", "shpat_catalog", "whsec_catalog" })
        {
            wire.Should().NotContain(secret);
        }

        await FailsAsync(new V1.Connections.ConnectionsClient(stranger).GetConnectionAsync(new GetConnectionRequest { Name = rms.Name }), StatusCode.NotFound);
    }

    [Fact]
    public async Task Health_says_serving_to_anyone_reflection_lists_the_services_to_an_identity_and_the_rate_limit_answers_resource_exhausted()
    {
        await using var hosts = await ChannelHosts.StartAsync(withCatalog: true, new Dictionary<string, string?>
        {
            ["Platform:RateLimits:PerCallerPerSecond"] = "3",
        });
        using var anonymous = hosts.GrpcFor(null, []);
        // The first check is published a second after start.
        await Marketplace.WaitAsync(async () => (await new Health.HealthClient(anonymous).CheckAsync(new HealthCheckRequest())).Status == HealthCheckResponse.Types.ServingStatus.Serving,
            "gRPC health to say serving", seconds: 30);

        await FailsAsync(async () =>
        {
            using var call = new ServerReflection.ServerReflectionClient(anonymous).ServerReflectionInfo();
            await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        }, StatusCode.Unauthenticated);
        using (var call = new ServerReflection.ServerReflectionClient(hosts.Grpc).ServerReflectionInfo())
        {
            await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
            (await call.ResponseStream.MoveNext(CancellationToken.None)).Should().BeTrue();
            call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Should()
                .Contain(["rakuten.platform.v1.Orders", "rakuten.platform.v1.Holds", "rakuten.platform.v1.Inventory", "rakuten.platform.v1.Catalog",
                    "rakuten.platform.v1.Connections", "grpc.health.v1.Health"]);
            await call.RequestStream.CompleteAsync();
        }

        // Three calls a second for this caller (six in a burst): the rest are RESOURCE_EXHAUSTED, not UNAVAILABLE.
        var orders = new V1.Orders.OrdersClient(hosts.GrpcFor(hosts.Tenant, ["viewer"]));
        var codes = new List<StatusCode>();
        for (var i = 0; i < 12; i++)
        {
            try
            {
                await orders.ListOrdersAsync(new ListOrdersRequest());
                codes.Add(StatusCode.OK);
            }
            catch (RpcException ex)
            {
                codes.Add(ex.StatusCode);
            }
        }

        codes.Should().Contain(StatusCode.OK).And.Contain(StatusCode.ResourceExhausted).And.OnlyContain(c => c == StatusCode.OK || c == StatusCode.ResourceExhausted);
    }
}
