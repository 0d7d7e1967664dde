namespace Rakuten.Platform.Inventory.AllocatingStock;

/// <summary>Available quantity of a SKU at one Shopify location, with the version Shopify's adapter gave it.</summary>
public sealed class LocationStock
{
    public required Guid TenantId { get; init; }

    public required Guid SourceConnectionId { get; init; }

    public required string LocationId { get; init; }

    public required string Sku { get; init; }

    public int Available { get; set; }

    public long Version { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Units of a SKU held for an accepted order until Shopify has the order (or it ships, or is cancelled).</summary>
public sealed class Reservation
{
    public required Guid TenantId { get; init; }

    public required Guid OrderId { get; init; }

    public required string Sku { get; init; }

    public int Quantity { get; set; }
}

/// <summary>An order's <see cref="ReservationLedger"/>: what its messages said so far (JSON objects SKU → units).</summary>
public sealed class OrderReservation
{
    public required Guid OrderId { get; init; }

    public required Guid TenantId { get; init; }

    /// <summary>Null until OrderAccepted arrives.</summary>
    public string? Accepted { get; set; }

    public required string Cancelled { get; set; }

    public bool Ended { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A Rakuten connection's allocation rule (learnt from ConnectionHealthChanged; set by the merchant).</summary>
public sealed class ChannelRule
{
    public required Guid ConnectionId { get; init; }

    public required Guid TenantId { get; init; }

    public required string Channel { get; init; }

    /// <summary>JSON array of location ids, or null for every location.</summary>
    public string? Locations { get; set; }

    public int Buffer { get; set; }

    public int? MaxQuantity { get; set; }

    public int? ZeroBelow { get; set; }

    public bool Removed { get; set; }
}

/// <summary>The quantity last published for (connection, SKU) and its version.</summary>
public sealed class ChannelQuantity
{
    public required Guid ConnectionId { get; init; }

    public required string Sku { get; init; }

    public int Quantity { get; set; }

    public long Version { get; set; }
}
