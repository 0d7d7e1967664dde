using System.Text.Json.Serialization;
using MassTransit;

namespace Rakuten.Platform.Contracts.Connections;

[JsonConverter(typeof(JsonStringEnumConverter<ConnectionHealth>))]
public enum ConnectionHealth
{
    Healthy,
    ExpiringSoon,
    Expired,
    Unauthorized,
    Unreachable,
    Removed,
}

/// <summary>A connection's health changed. Credentials never travel on the bus: only this status does.</summary>
[MessageUrn("rakuten-platform:connections:connection-health-changed:v1")]
[EntityName("rakuten-platform.connections.connection-health-changed.v1")]
public sealed record ConnectionHealthChanged(
    Guid TenantId,
    Guid ConnectionId,
    Channel Channel,
    ConnectionHealth Health,
    string Detail,
    DateTimeOffset? CredentialsExpireAt,
    DateTimeOffset OccurredAt) : IConnectionEvent;
