using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.Common;

/// <summary>The answer of a marketplace to a connection's credentials.</summary>
/// <param name="ExternalId">The account as the marketplace names it.</param>
/// <param name="AccountNumber">The marketplace's number for the account when the check could read it (RMS shop id).</param>
/// <param name="NotReached">Nothing answered at the address (or the outbound policy refused it): said in one generic way.</param>
public sealed record ConnectionCheck(
    bool Accepted, string ExternalId, string? Problem, string? Fix, DateTimeOffset? CredentialsExpireAt = null, bool Unreachable = false,
    string? AccountNumber = null, bool NotReached = false)
{
    public static ConnectionCheck Ok(string externalId, DateTimeOffset? expiresAt = null, string? accountNumber = null) =>
        new(true, externalId, null, null, expiresAt, AccountNumber: accountNumber);

    /// <summary>Whether a check failed for want of an answer — refused by the outbound policy, no such host, nothing
    /// listening, a timeout — rather than on one: such failures are all said as <see cref="Unanswered"/>.</summary>
    public static bool Unreached(Exception exception, CancellationToken ct) =>
        exception is HttpRequestException { StatusCode: null } or TaskCanceledException && !ct.IsCancellationRequested;

    /// <summary>A channel as merchants name it.</summary>
    public static string Marketplace(Channel channel) => channel switch
    {
        Channel.RakutenJp => "RMS",
        Channel.RakutenFr => "Rakuten France",
        _ => channel.ToString(),
    };

    /// <summary>The address did not answer, or the platform may not call it: one message for both, so that a caller learns
    /// nothing of the network behind it (whether a port is open, whether a host exists).</summary>
    public static ConnectionCheck Unanswered(Channel channel) => new(false, "",
        $"{Marketplace(channel)} could not be reached at this address.",
        "Leave baseUrl out to use the marketplace's own API, or use an address the platform's operator allowed; if it is right, try again later.",
        Unreachable: true, NotReached: true);

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

    /// <summary>A fingerprint of the secret that identifies the account, when the channel has one (RMS: the
    /// serviceSecret): one secret backs one live connection.</summary>
    string? SecretFingerprint(TCredentials credentials) => null;
}

/// <summary>Work a channel starts when a connection is added (Shopify: import every product).</summary>
public interface IConnectionAdded<TContext> where TContext : ChannelDbContext
{
    /// <summary>Work that must exist as soon as the connection does (a queued job, say): staged in the connection's own
    /// transaction, so a crash cannot leave a connection without it.</summary>
    void Staging(TContext db, ConnectionRecord connection, DateTimeOffset now)
    {
    }

    /// <summary>After the connection is saved.</summary>
    void Added(ConnectionRecord connection);

    /// <summary>After the connection's removal is saved (what it set up at the marketplace can be taken down).</summary>
    void Removed(ConnectionRecord connection)
    {
    }
}
