using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.Common;

/// <summary>Where the platform may send a merchant's credentials (DESIGN §13): a connection's base URL is an https host
/// on its marketplace's official list, or an origin the operator allowed (<c>Platform:Outbound:AllowedOrigins</c>, e.g.
/// the Sandbox's). Every connection the marketplace clients open is checked again after DNS: a name that resolves to a
/// loopback, private, link-local, shared or metadata address is refused unless that address is in
/// <c>Platform:Outbound:AllowedNetworks</c>; an allowed origin written as an IP address is trusted as written. Redirects
/// are never followed. Whatever the reason, the caller hears one thing: <see cref="ConnectionCheck.NotReached"/>.</summary>
public sealed class OutboundPolicy
{
    private readonly HashSet<string> _origins;
    private readonly List<(IPAddress Network, int PrefixLength)> _networks;

    public OutboundPolicy(IConfiguration configuration)
    {
        _origins = configuration.GetSection("Platform:Outbound:AllowedOrigins").Get<string[]>()?
            .Select(o => Origin(o) ?? throw new InvalidOperationException(
                $"Platform:Outbound:AllowedOrigins has '{o}', which is not an origin like https://host[:port]."))
            .ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        _networks = configuration.GetSection("Platform:Outbound:AllowedNetworks").Get<string[]>()?
            .Select(n => Network(n) ?? throw new InvalidOperationException(
                $"Platform:Outbound:AllowedNetworks has '{n}', which is not an address or CIDR network like 10.0.0.0/8."))
            .ToList() ?? [];
    }

    /// <summary>Allows one more origin (the embedded Host allows its own in-process Sandbox at the address it listens on).</summary>
    public void Allow(string origin)
    {
        lock (_origins)
        {
            _origins.Add(Origin(origin) ?? throw new ArgumentException($"'{origin}' is not an origin", nameof(origin)));
        }
    }

    /// <summary>The marketplaces' own API hosts (https, port 443). Shopify stores are <c>{handle}.myshopify.com</c>.</summary>
    public static bool IsOfficial(Channel channel, string host) => channel switch
    {
        Channel.RakutenJp => host.Equals("api.rms.rakuten.co.jp", StringComparison.OrdinalIgnoreCase),
        Channel.RakutenFr => host.Equals("ws.fr.shopping.rakuten.com", StringComparison.OrdinalIgnoreCase),
        Channel.Shopify => host.EndsWith(".myshopify.com", StringComparison.OrdinalIgnoreCase)
                           && host[..^".myshopify.com".Length] is { Length: > 0 } handle && handle.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'),
        _ => false,
    };

    /// <summary>Null when a connection of <paramref name="channel"/> may use <paramref name="baseUrl"/>; else why not
    /// — a shape rule the caller may be told (scheme, credentials in the URL), or null reason for "not allowed"
    /// (said to the caller as <see cref="ConnectionCheck.NotReached"/>, like a failed connection).</summary>
    public (bool Allowed, string? ShapeProblem) Check(Channel channel, string baseUrl)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            return (false, "must be an absolute https URL");
        }

        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return (false, "must not carry credentials, a query or a fragment");
        }

        return (IsAllowed(channel, uri), null);
    }

    private bool IsAllowed(Channel channel, Uri uri) => IsAllowedOrigin(uri) || (uri.Scheme == "https" && uri.IsDefaultPort && IsOfficial(channel, uri.IdnHost));

    private bool IsAllowedOrigin(Uri uri)
    {
        lock (_origins)
        {
            return _origins.Contains(Origin(uri));
        }
    }

    /// <summary>The handler every marketplace client sends through: no redirects, no proxy, and each connection checked
    /// (origin of the request, then every address its host resolves to).</summary>
    public SocketsHttpHandler Handler(Channel channel) => Handler(uri => IsAllowed(channel, uri));

    /// <summary>Where product images are downloaded from to be uploaded to a marketplace (R-Cabinet): Shopify's CDN
    /// (<c>https://cdn.shopify.com</c>) or an allowed origin — never an address a merchant's product could point anywhere.</summary>
    public bool IsImageSource(Uri uri) =>
        IsAllowedOrigin(uri) || (uri.Scheme == "https" && uri.IsDefaultPort && uri.IdnHost.Equals("cdn.shopify.com", StringComparison.OrdinalIgnoreCase));

    /// <summary>The handler images are downloaded through: the same checks as the marketplace APIs, for image sources.</summary>
    public SocketsHttpHandler ImageHandler() => Handler(IsImageSource);

    private SocketsHttpHandler Handler(Func<Uri, bool> allowed) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5), // DNS changes are seen, and checked, again
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = (context, ct) => ConnectAsync(allowed, context, ct),
    };

    private async ValueTask<Stream> ConnectAsync(Func<Uri, bool> allowed, SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var request = context.InitialRequestMessage.RequestUri;
        if (request is null || !allowed(request))
        {
            throw new OutboundRefusedException();
        }

        var host = context.DnsEndPoint.Host;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            // An address the operator wrote in the allowed origins is trusted as written; an official name is never a literal.
            addresses = [literal];
        }
        else
        {
            addresses = await Dns.GetHostAddressesAsync(host, ct);
            // Every address the name has must be acceptable: a name that also points inside the network is refused whole.
            if (addresses.Length == 0 || addresses.Any(a => !IsPublic(a) && !InAllowedNetwork(a)))
            {
                throw new OutboundRefusedException();
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private bool InAllowedNetwork(IPAddress address) => _networks.Any(n => Contains(n.Network, n.PrefixLength, address));

    /// <summary>Not loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata
    /// address, fe80::/10), shared (100.64/10), unspecified, multicast or reserved.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 10 || b[0] == 127 || b[0] == 0
                     || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                     || (b[0] == 192 && b[1] == 168)
                     || (b[0] == 169 && b[1] == 254)
                     || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                     || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                     || (b[0] == 198 && (b[1] == 18 || b[1] == 19))
                     || b[0] >= 224);
        }

        var v6 = address.GetAddressBytes();
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
                 || (v6[0] & 0xfe) == 0xfc
                 // fd00:ec2::254, the IPv6 metadata address, is in fc00::/7 already; 64:ff9b::/96 (NAT64) could reach anything.
                 || (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b));
    }

    private static bool Contains(IPAddress network, int prefix, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (network.AddressFamily != address.AddressFamily)
        {
            return false;
        }

        var n = network.GetAddressBytes();
        var a = address.GetAddressBytes();
        for (var bit = 0; bit < prefix; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((n[bit / 8] & mask) != (a[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }

    private static string Origin(Uri uri) => $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}".ToLowerInvariant();

    private static string? Origin(string text) =>
        Uri.TryCreate(text.Trim().TrimEnd('/'), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" && uri.UserInfo.Length == 0
            ? Origin(uri)
            : null;

    private static (IPAddress, int)? Network(string text)
    {
        var parts = text.Trim().Split('/', 2);
        if (!IPAddress.TryParse(parts[0], out var address))
        {
            return null;
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (parts.Length == 1)
        {
            return (address, max);
        }

        return int.TryParse(parts[1], out var prefix) && prefix >= 0 && prefix <= max ? (address, prefix) : null;
    }
}

/// <summary>The outbound policy refused a connection. Deliberately without detail: the caller learns nothing more than
/// from a connection that failed.</summary>
public sealed class OutboundRefusedException() : HttpRequestException("The address could not be reached.");

/// <summary>A redirect is an answer the platform does not follow and does not take: the marketplace APIs do not redirect,
/// so a 3xx means the address is not the API (or someone wants the credentials sent elsewhere).</summary>
internal sealed class RefuseRedirects : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode is >= 300 and < 400)
        {
            response.Dispose();
            throw new OutboundRefusedException();
        }

        return response;
    }
}

public static class OutboundPolicyRegistration
{
    /// <summary>The named HttpClient of a channel's marketplace API, through the outbound policy and one resilience
    /// pipeline per connection (<see cref="MarketplacePipeline"/>), its rate budget kept in <typeparamref name="TContext"/>'s database.</summary>
    public static IHttpClientBuilder AddMarketplaceClient<TContext>(this WebApplicationBuilder builder, string name, Channel channel)
        where TContext : ChannelDbContext
    {
        builder.Services.TryAddSingleton<OutboundPolicy>();
        builder.Services.TryAddSingleton<MarketplaceCircuits>();
        builder.Services.TryAddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection("Platform:Marketplace:Resilience").Get<MarketplaceResilienceOptions>()
                                               ?? new MarketplaceResilienceOptions());
        builder.AddStateProbe<CircuitsProbe>();

        builder.Services.AddKeyedSingleton(name, (sp, _) => RateBudget.For(sp.GetRequiredService<ServiceDatabase<TContext>>().Database));
        builder.Services.AddKeyedSingleton<IConnectionCircuitHealth, ConnectionCircuitHealth<TContext>>(name);
        var client = builder.Services.AddHttpClient(name, c => c.Timeout = Timeout.InfiniteTimeSpan) // the pipeline's timeouts rule
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<OutboundPolicy>().Handler(channel))
            .AddHttpMessageHandler(() => new MarketplaceFailures(channel));
        client.AddResilienceHandler(name, (pipeline, context) => MarketplacePipeline.Configure(pipeline, context, channel, name))
            .SelectPipelineBy(_ => MarketplacePipeline.KeyOf);
        return client
            .AddHttpMessageHandler(() => new RefuseRedirects())
            .AddHttpMessageHandler(() => new MarketplaceCallMetrics(channel));
    }
}
