using FluentAssertions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Rakuten.Platform.Api.V1;

namespace Rakuten.Platform.Contracts.Tests;

/// <summary>The breaking-change check of the public gRPC API (issue 18): the protos as built now against the descriptor set
/// last released (contracts/protos/released, written by contracts/protos/release.sh). A message, field, enum value,
/// service or method of the release must still be there, with the same number, name, type and cardinality — or, for a
/// field or value, its number and name reserved. Adding is always fine.</summary>
public sealed class ProtoCompatibilityTests
{
    private static readonly FileDescriptor[] Current =
        [CommonReflection.Descriptor, OrdersReflection.Descriptor, InventoryReflection.Descriptor, CatalogReflection.Descriptor, ConnectionsReflection.Descriptor];

    [Fact]
    public void The_protos_break_nothing_of_the_released_API()
    {
        Breaks(Released(), Current.Select(f => f.ToProto())).Should().BeEmpty();
    }

    [Fact]
    public void The_check_finds_a_removed_a_renumbered_and_a_retyped_field_a_removed_enum_value_and_a_removed_method()
    {
        var changed = Current.Select(f => f.ToProto()).ToList();
        var orders = changed.Single(f => f.Name.EndsWith("orders.proto", StringComparison.Ordinal));
        var order = orders.MessageType.Single(m => m.Name == "Order");
        order.Field.Remove(order.Field.Single(f => f.Name == "channel_status"));
        order.Field.Single(f => f.Name == "channel_order_id").Number = 99;
        order.Field.Single(f => f.Name == "status").Type = FieldDescriptorProto.Types.Type.String;
        var status = orders.EnumType.Single(e => e.Name == "OrderStatus");
        status.Value.Remove(status.Value.Single(v => v.Name == "CANCELLED"));
        orders.Service.Single(s => s.Name == "Holds").Method.RemoveAt(0);

        Breaks(Released(), changed).Should().BeEquivalentTo([
            "rakuten.platform.v1.Order field 4 (channel_order_id) was removed without reserving its number and name",
            "rakuten.platform.v1.Order field 5 (channel_status) was removed without reserving its number and name",
            "rakuten.platform.v1.Order field 6 (status) changed from enum .rakuten.platform.v1.OrderStatus optional to string .rakuten.platform.v1.OrderStatus optional",
            "rakuten.platform.v1.OrderStatus value 9 (CANCELLED) was removed without reserving its number and name",
            "rakuten.platform.v1.Holds method ListHolds was removed",
        ]);

        // Reserving what was removed is the compatible way to remove a field.
        order.ReservedRange.Add(new DescriptorProto.Types.ReservedRange { Start = 5, End = 6 });
        order.ReservedName.Add("channel_status");
        Breaks(Released(), changed).Should().NotContain(b => b.Contains("channel_status", StringComparison.Ordinal));
    }

    private static FileDescriptorSet Released()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Rakuten.Platform.sln"))) dir = dir.Parent;
        return FileDescriptorSet.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dir.FullName, "contracts", "protos", "released", "rakuten-platform-v1.binpb")));
    }

    /// <summary>Every way <paramref name="now"/> breaks a client built against <paramref name="released"/>.</summary>
    public static List<string> Breaks(FileDescriptorSet released, IEnumerable<FileDescriptorProto> now)
    {
        var current = now.ToList();
        var messages = current.SelectMany(f => Messages(f.Package, f.MessageType)).ToDictionary(m => m.Name, m => m.Message);
        var enums = current.SelectMany(f => Enums(f.Package, f.EnumType, f.MessageType)).ToDictionary(e => e.Name, e => e.Enum);
        var services = current.SelectMany(f => f.Service.Select(s => (Name: $"{f.Package}.{s.Name}", Service: s))).ToDictionary(s => s.Name, s => s.Service);
        var breaks = new List<string>();
        foreach (var file in released.File.Where(f => f.Package.StartsWith("rakuten.", StringComparison.Ordinal)))
        {
            foreach (var (name, was) in Messages(file.Package, file.MessageType))
            {
                if (!messages.TryGetValue(name, out var isNow))
                {
                    breaks.Add($"{name} was removed");
                    continue;
                }

                foreach (var field in was.Field)
                {
                    var same = isNow.Field.FirstOrDefault(f => f.Number == field.Number);
                    if (same is null)
                    {
                        if (!isNow.ReservedRange.Any(r => field.Number >= r.Start && field.Number < r.End) || !isNow.ReservedName.Contains(field.Name))
                            breaks.Add($"{name} field {field.Number} ({field.Name}) was removed without reserving its number and name");
                    }
                    else if (same.Name != field.Name)
                    {
                        breaks.Add($"{name} field {field.Number} was renamed from {field.Name} to {same.Name} (JSON clients read it by name)");
                    }
                    else if (same.Type != field.Type || same.TypeName != field.TypeName || same.Label != field.Label || same.HasOneofIndex != field.HasOneofIndex)
                    {
                        breaks.Add($"{name} field {field.Number} ({field.Name}) changed from {Shape(field)} to {Shape(same)}");
                    }
                }
            }

            foreach (var (name, was) in Enums(file.Package, file.EnumType, file.MessageType))
            {
                if (!enums.TryGetValue(name, out var isNow))
                {
                    breaks.Add($"{name} was removed");
                    continue;
                }

                foreach (var value in was.Value)
                {
                    var same = isNow.Value.FirstOrDefault(v => v.Number == value.Number);
                    if (same is null && (!isNow.ReservedRange.Any(r => value.Number >= r.Start && value.Number <= r.End) || !isNow.ReservedName.Contains(value.Name)))
                        breaks.Add($"{name} value {value.Number} ({value.Name}) was removed without reserving its number and name");
                    else if (same is not null && same.Name != value.Name)
                        breaks.Add($"{name} value {value.Number} was renamed from {value.Name} to {same.Name}");
                }
            }

            foreach (var service in file.Service)
            {
                var name = $"{file.Package}.{service.Name}";
                if (!services.TryGetValue(name, out var isNow))
                {
                    breaks.Add($"{name} was removed");
                    continue;
                }

                foreach (var method in service.Method)
                {
                    var same = isNow.Method.FirstOrDefault(m => m.Name == method.Name);
                    if (same is null)
                        breaks.Add($"{name} method {method.Name} was removed");
                    else if (same.InputType != method.InputType || same.OutputType != method.OutputType || same.ServerStreaming != method.ServerStreaming
                             || same.ClientStreaming != method.ClientStreaming)
                        breaks.Add($"{name} method {method.Name} changed its request, response or streaming");
                }
            }
        }

        return breaks;
    }

    private static string Shape(FieldDescriptorProto f) =>
        $"{f.Type.ToString().ToLowerInvariant()}{(f.TypeName.Length > 0 ? " " + f.TypeName : "")} {(f.Label == FieldDescriptorProto.Types.Label.Repeated ? "repeated" : "optional")}";

    private static IEnumerable<(string Name, DescriptorProto Message)> Messages(string prefix, IEnumerable<DescriptorProto> messages) =>
        messages.SelectMany(m => Messages($"{prefix}.{m.Name}", m.NestedType).Prepend(($"{prefix}.{m.Name}", m)));

    private static IEnumerable<(string Name, EnumDescriptorProto Enum)> Enums(string prefix, IEnumerable<EnumDescriptorProto> enums, IEnumerable<DescriptorProto> messages) =>
        enums.Select(e => ($"{prefix}.{e.Name}", e)).Concat(messages.SelectMany(m => Enums($"{prefix}.{m.Name}", m.EnumType, m.NestedType)));
}
