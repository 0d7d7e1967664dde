using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Rakuten.Platform.BuildingBlocks.Persistence;

/// <summary>Serialises transactions that maintain an invariant over several rows (a tenant's SKU registry, one
/// SKU's channel quantities): on PostgreSQL a transaction-scoped advisory lock on a key, released at commit or
/// rollback. SQLite (embedded, one process) already serialises its writers.</summary>
public static class AdvisoryLock
{
    public static Task AcquireAsync(PlatformDbContext db, string key, CancellationToken ct) => AcquireAllAsync(db, [key], ct);

    /// <summary>Holds <paramref name="key"/> for longer than one unit of work (calls to a marketplace in between):
    /// a transaction left open on <paramref name="db"/>, which must serve nothing else, until the result is disposed;
    /// a crash closes the connection and frees it. On SQLite nothing is held (its open write transaction would block
    /// every other writer): there the caller, in its one process, serialises itself.</summary>
    public static async Task<IAsyncDisposable> HoldAsync(PlatformDbContext db, string key, CancellationToken ct)
    {
        if (!IsPostgres(db))
        {
            return NotHeld.Instance;
        }

        var tx = await db.Database.BeginTransactionAsync(ct);
        await AcquireAsync(db, key, ct);
        return tx;
    }

    private static bool IsPostgres(PlatformDbContext db) => db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;

    private sealed class NotHeld : IAsyncDisposable
    {
        public static readonly NotHeld Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Several keys in one round trip, taken in ordinal order of the keys — the order every caller holding
    /// more than one uses — so that two transactions sharing keys wait for each other instead of deadlocking.</summary>
    public static async Task AcquireAllAsync(PlatformDbContext db, IEnumerable<string> keys, CancellationToken ct)
    {
        if (!IsPostgres(db))
        {
            return;
        }

        var ids = keys.Distinct().Order(StringComparer.Ordinal).Select(IdOf).ToArray();
        // unnest yields the array in order, and the locks are taken as the rows are produced.
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(id) FROM unnest({ids}) WITH ORDINALITY AS t(id, n) ORDER BY n", ct);
    }

    private static long IdOf(string key) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0);
}
