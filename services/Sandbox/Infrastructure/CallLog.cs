using System.Collections.Concurrent;

namespace Rakuten.Platform.Sandbox.Infrastructure;

/// <summary>Every call the Sandbox answered, counted per (api, endpoint, status) and per account (shop,
/// seller, store), so tests can read back how the platform used each API (and that it stayed in its limits).</summary>
public sealed class CallLog
{
    private readonly ConcurrentDictionary<(string Api, string Endpoint, string Account, int Status), int> _counts = new();

    public void Record(string api, string endpoint, string? account, int status) =>
        _counts.AddOrUpdate((api, endpoint, account ?? "", status), 1, (_, n) => n + 1);

    public IReadOnlyList<CallCount> Snapshot() =>
        _counts.Select(kv => new CallCount(kv.Key.Api, kv.Key.Endpoint, kv.Key.Account, kv.Key.Status, kv.Value))
            .OrderBy(c => c.Api).ThenBy(c => c.Endpoint).ThenBy(c => c.Account).ThenBy(c => c.Status)
            .ToList();

    public void Clear() => _counts.Clear();
}

public sealed record CallCount(string Api, string Endpoint, string Account, int Status, int Count);
