using Google.Protobuf.WellKnownTypes;
using Rakuten.Platform.Api.V1;
using Rakuten.Platform.Inventory.AllocatingStock;
using ChannelQuantity = Rakuten.Platform.Api.V1.ChannelQuantity;

namespace Rakuten.Platform.Inventory.PublicApi;

/// <summary>A SKU's availability as the public API shows it: the same for a read and for a change in the feed.</summary>
public static class AvailabilityMessages
{
    /// <summary>The change-feed topic of availability changes (WatchAvailability).</summary>
    public const string Topic = "availability";

    public const string Collection = "skus";

    public static string Name(string sku) => $"{Collection}/{Uri.EscapeDataString(sku)}";

    public static Availability Of(string sku, IEnumerable<LocationStock> levels, int reserved, IEnumerable<ChannelRule> rules,
        IReadOnlyDictionary<Guid, AllocatingStock.ChannelQuantity> published, DateTimeOffset? updated)
    {
        var list = levels.OrderBy(l => l.LocationId, StringComparer.Ordinal).ToList();
        var availability = new Availability
        {
            Name = Name(sku),
            Sku = sku,
            Found = true,
            Reserved = reserved,
            Locations = { list.Select(l => new LocationLevel { LocationId = l.LocationId, Available = l.Available }) },
        };
        foreach (var rule in rules.OrderBy(r => r.ConnectionId))
        {
            var quantity = published.GetValueOrDefault(rule.ConnectionId);
            availability.Channels.Add(new ChannelQuantity
            {
                Connection = $"connections/{rule.ConnectionId}", Channel = System.Enum.Parse<Channel>(rule.Channel), Buffer = rule.Buffer,
                Quantity = Math.Max(0, quantity?.Quantity ?? 0), Version = quantity?.Version ?? 0,
            });
        }

        var at = updated ?? (list.Count > 0 ? list.Max(l => l.UpdatedAt) : null);
        if (at is { } time) availability.UpdateTime = Timestamp.FromDateTimeOffset(time);
        return availability;
    }

    /// <summary>The SKU in <c>skus/{sku}</c> (URL-escaped or not); INVALID_ARGUMENT naming <paramref name="field"/> otherwise.</summary>
    public static string Sku(string name, string field)
    {
        var prefix = Collection + "/";
        var raw = name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : null;
        string? sku = null;
        try
        {
            sku = raw is null ? null : Uri.UnescapeDataString(raw);
        }
        catch (UriFormatException)
        {
        }

        return sku is not null && BuildingBlocks.Security.Text.Problem(sku, 1, 255) is null
            ? sku
            : throw BuildingBlocks.Grpc.GrpcProblem.Invalid((field, "must be 'skus/{sku}' with a SKU of 1 to 255 characters and no control characters"));
    }
}
