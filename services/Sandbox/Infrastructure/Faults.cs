using System.Text.Json.Serialization;

namespace Rakuten.Platform.Sandbox.Infrastructure;

[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>429 with Retry-After.</summary>
    RateLimited,

    /// <summary>500.</summary>
    ServerError,

    /// <summary>503: a maintenance window (RMS stops its APIs during scheduled maintenance).</summary>
    Maintenance,

    /// <summary>No answer until the client gives up (the request is held for <c>DelaySeconds</c>).</summary>
    Timeout,

    /// <summary>200 with a body that is not what the API returns (truncated JSON / XML).</summary>
    Malformed,

    /// <summary>The normal answer, <c>DelaySeconds</c> late: a slow network or a large upload, during which the
    /// client's other work goes on.</summary>
    Slow,
}

/// <summary>One injected fault: for <c>Api</c> (rms, rakuten-fr, shopify) and <c>Endpoint</c> ("*" for all),
/// either the next <c>Count</c> calls or a <c>Rate</c> (0..1) of calls, drawn from the seeded random source.</summary>
public sealed record FaultRule(
    string Api,
    string Endpoint,
    FaultKind Kind,
    int? Count = null,
    double? Rate = null,
    int RetryAfterSeconds = 1,
    int DelaySeconds = 30,
    string? Account = null);

public sealed class Faults(Random random)
{
    /// <summary>The <see cref="FaultKind.Timeout"/> fault: hold the request until the client gives up (or the delay ends).</summary>
    public static async Task HoldAsync(FaultRule fault, CancellationToken requestAborted)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(fault.DelaySeconds), requestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client gave up, which is the point of this fault.
        }
    }

    /// <summary>The fault that applies to this call, if any; a <see cref="FaultKind.Slow"/> one is served here (the
    /// call is delayed, then answered normally: null).</summary>
    public async Task<FaultRule?> NextAsync(string api, string endpoint, string? account, CancellationToken requestAborted)
    {
        var fault = Next(api, endpoint, account);
        if (fault is not { Kind: FaultKind.Slow })
        {
            return fault;
        }

        await Task.Delay(TimeSpan.FromSeconds(fault.DelaySeconds), requestAborted);
        return null;
    }

    private readonly List<(Guid Id, FaultRule Rule, int Remaining)> _rules = [];

    public Guid Add(FaultRule rule)
    {
        if (rule.Count is null == rule.Rate is null)
        {
            throw new ArgumentException("A fault needs exactly one of count (the next N calls) or rate (0..1 of calls).");
        }

        if (rule.Rate is < 0 or > 1)
        {
            throw new ArgumentException("rate must be between 0 and 1.");
        }

        var id = Guid.NewGuid();
        lock (_rules)
        {
            _rules.Add((id, rule, rule.Count ?? int.MaxValue));
        }

        return id;
    }

    public void Clear()
    {
        lock (_rules)
        {
            _rules.Clear();
        }
    }

    public IReadOnlyList<object> List()
    {
        lock (_rules)
        {
            return _rules.Select(r => (object)new { id = r.Id, rule = r.Rule, remaining = r.Rule.Count is null ? (int?)null : r.Remaining }).ToList();
        }
    }

    /// <summary>The fault that applies to this call, if any (a count-based rule is used up by it).</summary>
    public FaultRule? Next(string api, string endpoint, string? account)
    {
        lock (_rules)
        {
            for (var i = 0; i < _rules.Count; i++)
            {
                var (id, rule, remaining) = _rules[i];
                if (rule.Api != api || (rule.Endpoint != "*" && rule.Endpoint != endpoint) || (rule.Account is not null && rule.Account != account))
                {
                    continue;
                }

                if (rule.Count is not null)
                {
                    if (remaining <= 0)
                    {
                        continue;
                    }

                    _rules[i] = (id, rule, remaining - 1);
                    return rule;
                }

                if (random.NextDouble() < rule.Rate)
                {
                    return rule;
                }
            }

            return null;
        }
    }
}
