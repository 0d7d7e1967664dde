using System.Diagnostics;
using System.Net;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.Channels.Common;

/// <summary>What a marketplace API call is, for its metrics: the operation a client names (a GraphQL mutation), else the
/// request's path with its ids left out (<c>POST /es/2.0/order/getOrder</c>) and Rakuten France's <c>action</c>.</summary>
public static class MarketplaceCall
{
    public static readonly HttpRequestOptionsKey<string> Operation = new("platform.marketplace.operation");

    /// <summary>The connection the call is made for: its pipeline (circuit) and its rate budget.</summary>
    public static readonly HttpRequestOptionsKey<Guid> Connection = new("platform.marketplace.connection");

    /// <summary>The API's published rate the call counts against (<see cref="MarketplacePipeline"/>).</summary>
    public static readonly HttpRequestOptionsKey<RateLimit> Limit = new("platform.marketplace.limit");

    /// <summary>A slot the caller already took for the call's first attempt.</summary>
    public static readonly HttpRequestOptionsKey<RateSlot?> Slot = new("platform.marketplace.slot");

    /// <summary>Whether the call may be sent again after a failure; by default GET, HEAD, PUT and DELETE are.</summary>
    public static readonly HttpRequestOptionsKey<bool> Idempotent = new("platform.marketplace.idempotent");

    /// <summary>A connection check: what the marketplace answers now, failures not retried nor counted by the circuit.</summary>
    public static readonly HttpRequestOptionsKey<bool> Probe = new("platform.marketplace.probe");

    public static HttpRequestMessage Named(this HttpRequestMessage request, string operation)
    {
        request.Options.Set(Operation, operation);
        return request;
    }

    /// <summary>The call is made for <paramref name="connection"/> (null: a check before the connection exists), within
    /// <paramref name="limit"/> when the API publishes one.</summary>
    public static HttpRequestMessage For(this HttpRequestMessage request, Guid? connection, RateLimit? limit = null, RateSlot? slot = null)
    {
        if (connection is { } id)
        {
            request.Options.Set(Connection, id);
            if (limit is not null)
            {
                request.Options.Set(Limit, limit);
                request.Options.Set(Slot, slot);
            }
        }

        return request;
    }

    public static HttpRequestMessage Retryable(this HttpRequestMessage request, bool idempotent)
    {
        request.Options.Set(Idempotent, idempotent);
        return request;
    }

    public static HttpRequestMessage AsProbe(this HttpRequestMessage request)
    {
        request.Options.Set(Probe, true);
        return request;
    }

    /// <summary>A throttled answer that is not a 429 (Shopify's GraphQL <c>THROTTLED</c> comes with HTTP 200).</summary>
    public static void CountThrottled(Channel channel, string operation) =>
        PlatformDiagnostics.MarketplaceThrottled.Add(1, new KeyValuePair<string, object?>("channel", channel.ToString()), new("operation", operation));

    public static string OperationOf(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(Operation, out var named))
        {
            return named;
        }

        var uri = request.RequestUri;
        if (uri is null)
        {
            return request.Method.Method;
        }

        var path = string.Join('/', uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => !LooksLikeId(s)));
        var action = uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).FirstOrDefault(p => p[0] == "action" && p.Length == 2)?[1];
        return $"{request.Method.Method} /{path}" + (action is null ? "" : $"?action={Uri.UnescapeDataString(action)}");
    }

    // An item number, an order number, a GUID: one series per operation, not per thing it was called for.
    private static bool LooksLikeId(string segment) =>
        segment.All(char.IsAsciiDigit) || Guid.TryParse(segment, out _) || (segment.Length >= 12 && segment.Any(char.IsAsciiDigit) && !segment.Contains('.'));

    public static string Outcome(HttpStatusCode status) => (int)status switch
    {
        >= 200 and < 300 => "ok",
        429 => "throttled",
        401 or 403 => "unauthorized",
        503 => "unavailable",
        >= 500 => "server_error",
        _ => "client_error",
    };
}

/// <summary>Counts and times each attempt of a marketplace call by channel, operation and outcome (inside the
/// resilience pipeline: a retried call is several attempts). Timeouts, refused addresses and network failures are
/// outcomes too.</summary>
internal sealed class MarketplaceCallMetrics(Channel channel) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = MarketplaceCall.OperationOf(request);
        var started = Stopwatch.GetTimestamp();
        var outcome = "network_error";
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            outcome = MarketplaceCall.Outcome(response.StatusCode);
            if (outcome == "throttled")
            {
                MarketplaceCall.CountThrottled(channel, operation);
            }

            return response;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = "timeout";
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled";
            throw;
        }
        catch (OutboundRefusedException)
        {
            outcome = "refused";
            throw;
        }
        finally
        {
            KeyValuePair<string, object?> c = new("channel", channel.ToString()), o = new("operation", operation);
            PlatformDiagnostics.MarketplaceCalls.Add(1, c, o, new("outcome", outcome));
            PlatformDiagnostics.MarketplaceCallDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, c, o);
        }
    }
}
