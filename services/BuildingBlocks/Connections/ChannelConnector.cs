using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.BuildingBlocks.Connections;

/// <summary>The answer of a marketplace to a connection's credentials.</summary>
public sealed record ConnectionCheck(
    bool Accepted, string ExternalId, string? Problem, string? Fix, DateTimeOffset? CredentialsExpireAt = null, bool Unreachable = false)
{
    public static ConnectionCheck Ok(string externalId, DateTimeOffset? expiresAt = null) => new(true, externalId, null, null, expiresAt);

    /// <summary>The marketplace answered and refused the credentials.</summary>
    public static ConnectionCheck Refused(string problem, string fix) => new(false, "", problem, fix);

    /// <summary>The marketplace could not give an answer (down, maintenance, wrong address): nothing is known of the credentials.</summary>
    public static ConnectionCheck NoAnswer(string problem, string fix) => new(false, "", problem, fix, Unreachable: true);
}

/// <summary>What one channel knows about its connections: where its real API is, the shape rules of its
/// credentials, and how to check them against the API before anything is stored.</summary>
public interface IChannelConnector<TCredentials> where TCredentials : class
{
    Channel Channel { get; }

    /// <summary>The real API for these credentials; a connection's own base URL (the Sandbox's, in embedded mode
    /// and tests) replaces it.</summary>
    string DefaultBaseUrl(TCredentials credentials);

    /// <summary>Shape errors, each naming the field and the rule; empty when the credentials may be sent.</summary>
    IReadOnlyList<string> Validate(TCredentials credentials);

    Task<ConnectionCheck> CheckAsync(Uri baseUrl, TCredentials credentials, CancellationToken ct);
}

/// <summary>Work a channel starts when a connection is added (Shopify: import every product).</summary>
public interface IConnectionAdded<TContext> where TContext : ChannelDbContext
{
    void Added(ConnectionRecord connection);
}
