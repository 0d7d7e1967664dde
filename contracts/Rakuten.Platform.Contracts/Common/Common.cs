using System.Text.Json.Serialization;

namespace Rakuten.Platform.Contracts;

/// <summary>The sales channels the platform connects.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Channel>))]
public enum Channel
{
    Shopify,
    RakutenJp,
    RakutenFr,
}

/// <summary>An amount in a currency. Never converted silently: the currency travels with the amount.</summary>
public sealed record Money(decimal Amount, string Currency);

/// <summary>A marketplace's own error, kept as data so the merchant sees Rakuten's code and message.</summary>
public sealed record ChannelError(string Code, string Message);

/// <summary>A postal address as the buyer gave it.</summary>
public sealed record PostalAddress(
    string Name,
    string? Company,
    string Line1,
    string? Line2,
    string City,
    string? Province,
    string PostalCode,
    string CountryCode,
    string? Phone);

/// <summary>Every integration event carries the merchant and the moment it happened.</summary>
public interface IIntegrationEvent
{
    Guid TenantId { get; }
    DateTimeOffset OccurredAt { get; }
}

/// <summary>An integration event about one channel connection (one shop, one store, one seller account).</summary>
public interface IConnectionEvent : IIntegrationEvent
{
    Guid ConnectionId { get; }
}
