using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.Channels.Common;

/// <summary>A marketplace API's published rate for one account: at most <see cref="Calls"/> calls in any rolling
/// <see cref="Per"/> (how RMS counts). <see cref="FromAnswer"/>: the window of a call counts from its answer, not from
/// when it left — for an API used one call at a time, which under load may handle a request well after it was sent.</summary>
public sealed record RateLimit(string Api, int Calls, TimeSpan Per, bool FromAnswer = false)
{
    public static RateLimit PerSecond(string api, int calls, bool fromAnswer = false) => new(api, calls, TimeSpan.FromSeconds(1), fromAnswer);

    // Requests reach the marketplace a little after they leave: a margin keeps network jitter from crowding a window.
    public TimeSpan Window => Per + TimeSpan.FromMilliseconds(40);
}

/// <summary>A slot taken from a <see cref="RateBudget"/>.</summary>
public abstract class RateSlot
{
    /// <summary>When the slot was taken (or last moved), on the budget's clock: the database's for a shared budget.</summary>
    public abstract DateTimeOffset TakenAt { get; }

    /// <summary>Moves this slot to now: the call it stands for was answered (<see cref="RateLimit.FromAnswer"/>), or it
    /// was taken before a batch was gathered and the request leaves only now.</summary>
    public abstract ValueTask RestampAsync(CancellationToken ct);
}

/// <summary>The calls left to each (connection, API) within its published rate. A caller waits for its slot instead of
/// earning a 429. In embedded mode (one process, SQLite) the budget is kept in memory; on PostgreSQL it is kept in the
/// channel service's database, so that the replicas of a service share one budget per connection (DESIGN §12): two
/// replicas pushing stock for the same shop still make one bulk-upsert a second between them.</summary>
public abstract class RateBudget
{
    public static RateBudget For(ServiceDatabase database) =>
        database.Dialect == SqlDialect.Postgres ? new SharedRateBudget(database.ForApplication($"{database.Service}-rate-budget").ConnectionString) : new LocalRateBudget();

    /// <summary>Waits for a slot of <paramref name="limit"/> for <paramref name="account"/> (a connection id); returns
    /// it with the time waited.</summary>
    public async Task<(RateSlot Slot, TimeSpan Waited)> TakeAsync(string account, RateLimit limit, CancellationToken ct)
    {
        var asked = Stopwatch.GetTimestamp();
        var bucket = $"{account}:{limit.Api}";
        while (true)
        {
            var (slot, wait) = await TryTakeAsync(bucket, limit, ct);
            if (slot is not null)
            {
                return (slot, Stopwatch.GetElapsedTime(asked));
            }

            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), ct);
        }
    }

    /// <summary>A slot now, or how long until one frees up.</summary>
    protected abstract Task<(RateSlot? Slot, TimeSpan Wait)> TryTakeAsync(string bucket, RateLimit limit, CancellationToken ct);
}

/// <summary>The budget of one process, on the machine's monotonic clock (never the platform's business clock, which
/// tests move by hand: a rate is real time).</summary>
public sealed class LocalRateBudget : RateBudget
{
    private static readonly long Origin = Stopwatch.GetTimestamp();

    private readonly ConcurrentDictionary<string, List<TimeSpan>> _windows = new();

    protected override Task<(RateSlot? Slot, TimeSpan Wait)> TryTakeAsync(string bucket, RateLimit limit, CancellationToken ct)
    {
        var window = _windows.GetOrAdd(bucket, _ => []);
        lock (window)
        {
            var now = Stopwatch.GetElapsedTime(Origin);
            window.RemoveAll(at => now - at >= limit.Window);
            if (window.Count < limit.Calls)
            {
                window.Add(now);
                return Task.FromResult<(RateSlot?, TimeSpan)>((new Slot(window, now), TimeSpan.Zero));
            }

            return Task.FromResult<(RateSlot?, TimeSpan)>((null, limit.Window - (now - window.Min())));
        }
    }

    private sealed class Slot(List<TimeSpan> window, TimeSpan taken) : RateSlot
    {
        private TimeSpan _at = taken;

        public override DateTimeOffset TakenAt => DateTimeOffset.UtcNow - (Stopwatch.GetElapsedTime(Origin) - _at);

        public override ValueTask RestampAsync(CancellationToken ct)
        {
            lock (window)
            {
                var index = window.IndexOf(_at);
                _at = Stopwatch.GetElapsedTime(Origin);
                if (index >= 0)
                {
                    window[index] = _at;
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The budget shared by the replicas of a channel service: <c>take_rate_slot</c> (Schema/postgres/030) keeps the
/// last window's call times of each bucket in one row, locked while a slot is taken, on the database's clock. One
/// round trip per slot, on a pool of its own so that a burst of requests never starves the flows of their slots.</summary>
public sealed class SharedRateBudget(string connectionString) : RateBudget, IAsyncDisposable
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    protected override async Task<(RateSlot? Slot, TimeSpan Wait)> TryTakeAsync(string bucket, RateLimit limit, CancellationToken ct)
    {
        await using var command = _source.CreateCommand("SELECT taken, wait FROM take_rate_slot($1, $2, $3)");
        command.Parameters.Add(new NpgsqlParameter { Value = bucket });
        command.Parameters.Add(new NpgsqlParameter { Value = limit.Calls });
        command.Parameters.Add(new NpgsqlParameter { Value = limit.Window });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return reader.IsDBNull(0)
            ? (null, reader.GetFieldValue<TimeSpan>(1))
            : (new Slot(_source, bucket, reader.GetFieldValue<DateTime>(0)), TimeSpan.Zero);
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private sealed class Slot(NpgsqlDataSource source, string bucket, DateTime taken) : RateSlot
    {
        private DateTime _at = taken;

        public override DateTimeOffset TakenAt => new(_at, TimeSpan.Zero);

        public override async ValueTask RestampAsync(CancellationToken ct)
        {
            await using var command = source.CreateCommand(
                "UPDATE rate_budget SET slots = array_replace(slots, $2, t.at) FROM clock_timestamp() AS t(at) WHERE bucket = $1 RETURNING t.at");
            command.Parameters.Add(new NpgsqlParameter { Value = bucket });
            command.Parameters.Add(new NpgsqlParameter { Value = _at });
            if (await command.ExecuteScalarAsync(ct) is DateTime at)
            {
                _at = at;
            }
        }
    }
}
