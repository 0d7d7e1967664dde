using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using MassTransit;
using Rakuten.Platform.BuildingBlocks.Messaging;

namespace Rakuten.Platform.Contracts.Tests;

/// <summary>Shipped contracts keep their wire shape. Each one's JSON (from a deterministic sample) is kept in
/// <c>Snapshots/</c>; a changed field name, type or nesting fails here. A deliberate, compatible change is
/// accepted by running the tests once with <c>UPDATE_SNAPSHOTS=1</c> and committing the new snapshot; an
/// incompatible one gets a new contract version (a new URN ending in v2) instead.</summary>
public sealed class ContractShapeTests
{
    public static TheoryData<string> Contracts() =>
        new(ContractTypesInAssembly().Select(t => t.FullName!));

    [Theory]
    [MemberData(nameof(Contracts))]
    public void Serialized_shape_matches_its_snapshot(string typeName)
    {
        var type = typeof(Channel).Assembly.GetType(typeName)!;
        var json = JsonSerializer.Serialize(SampleValues.Create(type), type,
            new JsonSerializerOptions(PlatformJson.Options) { WriteIndented = true });
        var file = Path.Combine(SnapshotFolder(), SnapshotName(type));

        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(file, json + "\n");
        }

        File.Exists(file).Should().BeTrue($"{type.Name} needs a snapshot: run the tests with UPDATE_SNAPSHOTS=1 and commit {file}");
        JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(file)), JsonNode.Parse(json)).Should().BeTrue(
            $"the JSON shape of {type.Name} changed — shipped contracts must stay compatible (add a v2 contract instead).\nNow:\n{json}");
    }

    [Fact]
    public void Every_snapshot_still_has_its_contract()
    {
        var expected = ContractTypesInAssembly().Select(SnapshotName).ToHashSet();
        Directory.GetFiles(SnapshotFolder(), "*.json").Select(Path.GetFileName)
            .Should().BeSubsetOf(expected, "a shipped contract may not disappear while consumers still read it");
    }

    [Fact]
    public void Every_contract_has_a_versioned_urn_and_a_matching_exchange_name_that_are_not_the_clr_name()
    {
        foreach (var type in ContractTypesInAssembly())
        {
            var urn = type.GetCustomAttribute<MessageUrnAttribute>()!.Urn.ToString();
            var entity = type.GetCustomAttribute<EntityNameAttribute>()?.EntityName;

            urn.Should().MatchRegex(@"^urn:message:rakuten-platform:[a-z-]+:[a-z-]+:v\d+$", type.Name);
            entity.Should().Be(urn["urn:message:".Length..].Replace(':', '.'), $"{type.Name}'s exchange follows its URN");
            urn.Should().NotContain(type.Namespace!, "routing never depends on the CLR type name");
            MessageUrn.ForType(type).ToString().Should().Be(urn, "MassTransit puts this URN in the envelope");
        }

        ContractTypesInAssembly().Select(t => t.GetCustomAttribute<MessageUrnAttribute>()!.Urn).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Every_contract_carries_its_tenant_and_time_and_every_channel_event_its_connection()
    {
        foreach (var type in ContractTypesInAssembly())
        {
            type.Should().BeAssignableTo<IIntegrationEvent>();
            if (type.GetProperty("ConnectionId") is not null)
            {
                type.Should().BeAssignableTo<IConnectionEvent>();
            }
        }

        // Only the SKU registry's verdict and a kit's definition span connections: every other event is about one channel connection.
        ContractTypesInAssembly().Where(t => !typeof(IConnectionEvent).IsAssignableFrom(t)).Select(t => t.Name)
            .Should().BeEquivalentTo(["SkuRejected", "KitChanged"]);
    }

    [Fact]
    public void The_contracts_named_in_the_design_all_exist() // and the cancellation request/refusal the merchant's cancel needed
    {
        ContractTypesInAssembly().Select(t => t.Name).Should().BeEquivalentTo(
        [
            "ProductSynced", "ListingRequested", "ListingPublished", "ListingFailed", "ListingWithdrawn", "SkuRejected", "ChannelItemsFound", "ExistingItemDecided", "OrderButtonRequested", "OrderButtonChanged",
            "ShopifyProductRequested", "ShopifyProductCreated",
            "StockLevelReported", "ChannelStockChanged", "StockLevelReported", "ChannelStockChanged", // v2, and v1 still consumed
            "ChannelOrderReceived", "ChannelOrderStatusChanged", "OrderAccepted", "OrderHeld", "OrderCancelled",
            "OrderStatusChanged", "OrderExported", "OrderExportRefused", "OrderCancellationRequested", "OrderCancellationRefused", "OrderShopifyActionsRequested", "OrderLinesChanged", "ShopifyOrderEdited",
            "FulfillmentReported", "ShipmentDispatched", "ShipmentConfirmedByChannel", "ShipmentRejectedByChannel",
            "ShipmentDelivered", "ConnectionHealthChanged", "KitChanged",
        ]);
    }

    private static IEnumerable<Type> ContractTypesInAssembly() =>
        typeof(Channel).Assembly.GetExportedTypes().Where(t => t.GetCustomAttribute<MessageUrnAttribute>() is not null).OrderBy(t => t.Name);

    private static string SnapshotName(Type type) =>
        type.GetCustomAttribute<MessageUrnAttribute>()!.Urn.ToString()["urn:message:rakuten-platform:".Length..].Replace(':', '.') + ".json";

    private static string SnapshotFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Rakuten.Platform.Contracts.Tests", "Snapshots");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/Rakuten.Platform.Contracts.Tests/Snapshots not found");
    }
}
