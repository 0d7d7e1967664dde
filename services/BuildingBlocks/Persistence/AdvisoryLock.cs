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

    /// <summary>Several keys in one round trip, taken in ordinal order of the keys — the order every caller holding
    /// more than one uses — so that two transactions sharing keys wait for each other instead of deadlocking.</summary>
    public static async Task AcquireAllAsync(PlatformDbContext db, IEnumerable<string> keys, CancellationToken ct)
    {
        if (db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) != true)
        {
            return;
        }

        var ids = keys.Distinct().Order(StringComparer.Ordinal).Select(IdOf).ToArray();
        // unnest yields the array in order, and the locks are taken as the rows are produced.
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(id) FROM unnest({ids}) WITH ORDINALITY AS t(id, n) ORDER BY n", ct);
    }

    private static long IdOf(string key) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0);
}
