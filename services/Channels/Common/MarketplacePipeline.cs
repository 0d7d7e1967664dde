using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Connections;

namespace Rakuten.Platform.Channels.Common;

/// <summary>The resilience settings of the marketplace clients (<c>Platform:Marketplace:Resilience</c>).</summary>
public sealed class MarketplaceResilienceOptions
{
    /// <summary>One attempt's answer; the Sandbox's timeout fault and a stalled RMS both end here.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A call with all its retries and waits (a Shopify throttle can ask for most of a minute).</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry's delay, doubled at each retry, with jitter; an answer's Retry-After replaces it.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>503s within <see cref="SamplingDuration"/> (and at least half the calls) that open the circuit.</summary>
    public int BreakAfter { get; set; } = 3;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit stays open when the 503 gave no Retry-After; then one call tries.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>One resilience pipeline per marketplace API and connection (DESIGN §4, issue 19), built by
/// Microsoft.Extensions.Http.Resilience on Polly 8 around every call of a channel's HttpClient. Outermost first:
/// <list type="number">
/// <item>a total timeout;</item>
/// <item>retry with exponential backoff and jitter: a throttled answer (429, Shopify's <c>THROTTLED</c>) is retried
/// whatever the call, since it was not executed, after its <c>Retry-After</c> or the time Shopify's cost bucket needs; a
/// 5xx, a network failure or an attempt timeout only for an idempotent call (GET, PUT, DELETE, or a POST its client
/// marks as a read, <see cref="MarketplaceCall.Idempotent"/>), and never for a connection check
/// (<see cref="MarketplaceCall.Probe"/>), which reports what the marketplace says now;</item>
/// <item>a circuit breaker that opens when the API answers 503 (RMS maintenance windows) — calls stop for the break
/// (the answer's Retry-After, else <see cref="MarketplaceResilienceOptions.BreakDuration"/>), the connection's health says
/// so, and <c>platform.marketplace.circuit.state</c> shows it;</item>
/// <item>the API's published rate (<see cref="RateBudget"/>), waited for before each attempt, shared by replicas;</item>
/// <item>a per-attempt timeout.</item>
/// </list>
/// No hedging: a marketplace write sent twice is two writes. The per-attempt metrics handler sits inside the pipeline.</summary>
public static class MarketplacePipeline
{
    /// <summary>The pipeline a request goes through: its connection's, else (a check before the connection exists) its host's.</summary>
    public static string KeyOf(HttpRequestMessage request) =>
        request.Options.TryGetValue(MarketplaceCall.Connection, out var id) ? id.ToString() : $"host:{request.RequestUri?.Authority}";

    private static readonly ResiliencePropertyKey<TimeSpan> BreakFor = new("platform.marketplace.break-for");
    private static readonly ResiliencePropertyKey<TimeSpan?> ThrottledFor = new("platform.marketplace.throttled-for");

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResilienceHandlerContext context, Channel channel, string client)
    {
        var services = context.ServiceProvider;
        var options = services.GetRequiredService<MarketplaceResilienceOptions>();
        var circuits = services.GetRequiredService<MarketplaceCircuits>();
        var health = services.GetKeyedService<IConnectionCircuitHealth>(client);
        var budget = services.GetRequiredKeyedService<RateBudget>(client);
        // Polly counts the break on the DI clock too (the platform's business clock, which tests move by hand).
        var clock = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MarketplacePipeline));
        var key = context.InstanceName;
        Guid? connection = Guid.TryParse(key, out var id) ? id : null;

        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "total", Timeout = options.TotalTimeout });
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            // Throttled answers are waited out until the total timeout (a busy Shopify store's cost bucket is normal
            // operation, shared by the exporter's workers); failures only MaxRetries times (ShouldRetryAsync).
            MaxRetryAttempts = int.MaxValue,
            Delay = options.RetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldRetryAfterHeader = false, // read below, with Shopify's float seconds and cost bucket
            ShouldHandle = args => ShouldRetryAsync(channel, args.Outcome, args.Context, args.AttemptNumber < options.MaxRetries),
            DelayGenerator = args => ValueTask.FromResult(args.Context.Properties.TryGetValue(ThrottledFor, out var wait) ? wait : null),
            OnRetry = args =>
            {
                if (args.Context.Properties.TryGetValue(ThrottledFor, out var throttled) && throttled is not null)
                {
                    PlatformDiagnostics.RecordRateLimitWait(channel.ToString(), OperationOf(args.Context), args.RetryDelay);
                }

                args.Context.Properties.Set(ThrottledFor, null);
                return ValueTask.CompletedTask;
            },
        });
        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = Math.Max(2, options.BreakAfter),
            SamplingDuration = options.SamplingDuration,
            ShouldHandle = args => ValueTask.FromResult(Unavailable(args.Outcome, args.Context, options)),
            BreakDurationGenerator = args => ValueTask.FromResult(args.Context.Properties.TryGetValue(BreakFor, out var wait) ? wait : options.BreakDuration),
            OnOpened = async args =>
            {
                var until = clock.GetUtcNow() + args.BreakDuration;
                circuits.Set(channel, key, CircuitState.Open, until);
                logger.LogWarning("{Channel} answers 503 to connection {Connection}: its calls are paused until {Until:u}", channel, key, until);
                if (connection is { } opened && health is not null)
                {
                    await health.OpenedAsync(opened, until, args.Outcome.Result is { } r ? (int)r.StatusCode : 0);
                }
            },
            OnHalfOpened = args =>
            {
                circuits.Set(channel, key, CircuitState.HalfOpen, null);
                return ValueTask.CompletedTask;
            },
            OnClosed = async args =>
            {
                circuits.Set(channel, key, CircuitState.Closed, null);
                logger.LogInformation("{Channel} answers connection {Connection} again: its calls resume", channel, key);
                if (connection is { } closed && health is not null)
                {
                    await health.ClosedAsync(closed);
                }
            },
        });
        pipeline.AddStrategy(_ => new RateBudgetStrategy(budget, channel, key), new RateBudgetStrategyOptions());
        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "attempt", Timeout = options.AttemptTimeout });
        if (connection is not null)
        {
            // A check's pipeline (by host) never opens: its calls are probes, which the circuit does not count.
            circuits.Set(channel, key, CircuitState.Closed, null);
        }
    }

    private static string OperationOf(ResilienceContext context) =>
        context.GetRequestMessage() is { } request ? MarketplaceCall.OperationOf(request) : "?";

    private static bool Is(ResilienceContext context, HttpRequestOptionsKey<bool> flag) =>
        context.GetRequestMessage() is { } request && request.Options.TryGetValue(flag, out var set) && set;

    private static bool Idempotent(ResilienceContext context)
    {
        var request = context.GetRequestMessage();
        if (request is null)
        {
            return false;
        }

        return request.Options.TryGetValue(MarketplaceCall.Idempotent, out var marked)
            ? marked
            : request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete;
    }

    private static async ValueTask<bool> ShouldRetryAsync(Channel channel, Outcome<HttpResponseMessage> outcome, ResilienceContext context, bool failuresLeft)
    {
        if (outcome.Result is { } response)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                context.Properties.Set(ThrottledFor, Jittered(RetryAfter(response) ?? TimeSpan.FromSeconds(1)));
                return true;
            }

            if (channel == Channel.Shopify && await ShopifyThrottleAsync(response, context.CancellationToken) is { } wait)
            {
                MarketplaceCall.CountThrottled(channel, OperationOf(context));
                context.Properties.Set(ThrottledFor, Jittered(wait));
                return true;
            }

            return (int)response.StatusCode is 500 or 502 or 503 or 504 && failuresLeft && Idempotent(context) && !Is(context, MarketplaceCall.Probe);
        }

        return outcome.Exception is (HttpRequestException and not OutboundRefusedException) or TimeoutRejectedException
               && failuresLeft && Idempotent(context) && !Is(context, MarketplaceCall.Probe);
    }

    private static bool Unavailable(Outcome<HttpResponseMessage> outcome, ResilienceContext context, MarketplaceResilienceOptions options)
    {
        if (outcome.Result is not { StatusCode: HttpStatusCode.ServiceUnavailable } response || Is(context, MarketplaceCall.Probe))
        {
            return false;
        }

        // Rakuten announces its maintenance windows; when the 503 says how long, the circuit stays open that long.
        if (RetryAfter(response) is { } wait)
        {
            context.Properties.Set(BreakFor, TimeSpan.FromTicks(Math.Clamp(wait.Ticks, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(30).Ticks)));
        }

        return true;
    }

    /// <summary>Retry-After as seconds (Shopify sends <c>2.0</c>, which the typed header refuses) or as a date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (response.Headers.RetryAfter?.Date is { } date)
        {
            return date - DateTimeOffset.UtcNow is { } left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }

        return response.Headers.TryGetValues("Retry-After", out var values)
               && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    /// <summary>A Shopify GraphQL answer that says THROTTLED (with HTTP 200): how long until the cost bucket holds the
    /// query's cost, from <c>extensions.cost.throttleStatus</c>. The body is buffered, so the caller still reads it.</summary>
    private static async Task<TimeSpan?> ShopifyThrottleAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return null;
        }

        await response.Content.LoadIntoBufferAsync(ct);
        JsonObject? body;
        try
        {
            body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // not for the pipeline to judge: the client reports the malformed answer
        }

        if (body?["errors"] is not JsonArray errors || !errors.Any(e => e?["extensions"]?["code"]?.GetValue<string>() == "THROTTLED"))
        {
            return null;
        }

        var cost = body["extensions"]?["cost"];
        var requested = cost?["requestedQueryCost"]?.GetValue<double>() ?? 10;
        var available = cost?["throttleStatus"]?["currentlyAvailable"]?.GetValue<double>() ?? 0;
        var restore = cost?["throttleStatus"]?["restoreRate"]?.GetValue<double>() is > 0 and var rate ? rate : 50;
        return TimeSpan.FromSeconds(Math.Max(0.05, (requested - available) / restore));
    }

    // Several callers share a connection's budget (the exporter's workers, the stock flow): they must not all ask again
    // at the same instant.
    private static TimeSpan Jittered(TimeSpan wait) => wait + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));
}

internal sealed class RateBudgetStrategyOptions : ResilienceStrategyOptions
{
    public RateBudgetStrategyOptions() => Name = "rate-budget";
}

/// <summary>Waits for the API's rate before each attempt (<see cref="MarketplaceCall.Limit"/>): a retry takes a new slot.
/// A caller that already took the first slot (to gather its batch after the wait) hands it in with <see cref="MarketplaceCall.Slot"/>.</summary>
internal sealed class RateBudgetStrategy(RateBudget budget, Channel channel, string account) : ResilienceStrategy<HttpResponseMessage>
{
    protected override async ValueTask<Outcome<HttpResponseMessage>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<HttpResponseMessage>>> callback, ResilienceContext context, TState state)
    {
        var request = context.GetRequestMessage();
        if (request is null || !request.Options.TryGetValue(MarketplaceCall.Limit, out var limit))
        {
            return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        RateSlot slot;
        if (request.Options.TryGetValue(MarketplaceCall.Slot, out var taken) && taken is not null)
        {
            slot = taken;
            request.Options.Set(MarketplaceCall.Slot, null); // the first attempt's only
            await slot.RestampAsync(context.CancellationToken); // the request leaves now, after its batch was gathered
        }
        else
        {
            (slot, var waited) = await budget.TakeAsync(account, limit, context.CancellationToken);
            PlatformDiagnostics.RecordRateLimitWait(channel.ToString(), limit.Api, waited);
        }

        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        if (limit.FromAnswer)
        {
            await slot.RestampAsync(CancellationToken.None);
        }

        return outcome;
    }
}

/// <summary>The circuits of this process, by channel and pipeline (connection): the gauge
/// <c>platform.marketplace.circuit.state</c> (0 closed, 1 open, 2 half-open — Polly's numbering) and the connection view.</summary>
public sealed class MarketplaceCircuits
{
    private readonly ConcurrentDictionary<(Channel Channel, string Key), (CircuitState State, DateTimeOffset? Until)> _circuits = new();

    public void Set(Channel channel, string key, CircuitState state, DateTimeOffset? until) => _circuits[(channel, key)] = (state, until);

    public (CircuitState State, DateTimeOffset? Until)? Of(Channel channel, Guid connection) =>
        _circuits.TryGetValue((channel, connection.ToString()), out var circuit) ? circuit : null;

    public IEnumerable<(Channel Channel, string Key, CircuitState State)> All => _circuits.Select(c => (c.Key.Channel, c.Key.Key, c.Value.State));
}

public sealed class CircuitsProbe(MarketplaceCircuits circuits) : IStateProbe
{
    public IReadOnlyList<(string Metric, string Unit, string Description)> Metrics { get; } =
    [
        ("platform.marketplace.circuit.state", "1", "The circuit of each marketplace API pipeline (per connection): 0 closed, 1 open (calls stopped, e.g. RMS maintenance), 2 half-open (one call trying)."),
    ];

    public Task<IReadOnlyList<GaugeSample>> SampleAsync(IServiceProvider services, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<GaugeSample>>(circuits.All.Select(c => new GaugeSample("platform.marketplace.circuit.state", (int)c.State,
            new("channel", c.Channel.ToString()), new("connection_id", c.Key))).ToList());
}

/// <summary>What a connection's health says while its circuit is open (kept in the database, so that every replica and
/// the merchant's console see it, and announced to the other services like any change of health).</summary>
public interface IConnectionCircuitHealth
{
    Task OpenedAsync(Guid connectionId, DateTimeOffset until, int status);

    Task ClosedAsync(Guid connectionId);
}

public sealed class ConnectionCircuitHealth<TContext>(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ConnectionCircuitHealth<TContext>> logger)
    : IConnectionCircuitHealth where TContext : ChannelDbContext
{
    public const string Paused = "calls are paused";

    public Task OpenedAsync(Guid connectionId, DateTimeOffset until, int status) => UpdateAsync(connectionId, c =>
        c.Health is ConnectionHealth.Healthy or ConnectionHealth.Unreachable
            ? (ConnectionHealth.Unreachable, $"{ConnectionCheck.Marketplace(c.Channel)} answered HTTP {status} (a maintenance window or an overload): {Paused} until " +
                                               $"{until:yyyy-MM-dd HH:mm:ss} UTC, then one call tries again. Nothing is lost: the flows resume by themselves.")
            : null);

    public Task ClosedAsync(Guid connectionId) => UpdateAsync(connectionId, c =>
        c.Health == ConnectionHealth.Unreachable && c.HealthDetail.Contains(Paused, StringComparison.Ordinal)
            ? (ConnectionHealth.Healthy, $"{ConnectionCheck.Marketplace(c.Channel)} answers again.")
            : null);

    private async Task UpdateAsync(Guid connectionId, Func<ConnectionRecord, (ConnectionHealth, string)?> decide)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == connectionId && c.RemovedAt == null);
            if (connection is not null && decide(connection) is var (health, detail))
            {
                ConnectionEndpoints.SetHealth(db, connection, health, detail, clock.GetUtcNow());
                await db.SaveChangesAsync();
            }
        }
        catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            // The call's own outcome matters more than its note in the connection's health: say so, and go on.
            logger.LogWarning(ex, "The health of connection {ConnectionId} could not record its circuit", connectionId);
        }
    }
}

/// <summary>The answer of a connection whose circuit is open: no call was made.</summary>
public sealed class MarketplaceUnavailableException(Channel channel, TimeSpan? retryAfter)
    : HttpRequestException($"{ConnectionCheck.Marketplace(channel)} is unavailable (it answered 503, e.g. a maintenance window): calls are paused" +
                           (retryAfter is { } wait ? $" for {Math.Ceiling(wait.TotalSeconds)} s more." : "."), null, HttpStatusCode.ServiceUnavailable)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>Outside the pipeline: its refusals said the way HttpClient says them, so callers keep one way of handling
/// failures — an open circuit is an HttpRequestException with 503, a timeout a TaskCanceledException (as HttpClient's own).</summary>
internal sealed class MarketplaceFailures(Channel channel) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        catch (BrokenCircuitException ex)
        {
            throw new MarketplaceUnavailableException(channel, ex.RetryAfter);
        }
        catch (TimeoutRejectedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TaskCanceledException($"{ConnectionCheck.Marketplace(channel)} did not answer within {ex.Timeout.TotalSeconds:0} s.", new TimeoutException(ex.Message, ex));
        }
    }
}
