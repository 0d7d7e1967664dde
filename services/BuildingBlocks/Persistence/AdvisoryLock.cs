using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Rakuten.Platform.BuildingBlocks.Persistence;

/// <summary>Serialises transactions that maintain an invariant over several rows (a tenant's SKU registry, one
/// SKU's channel quantities): on PostgreSQL a transaction-scoped advisory lock on a key, released at commit or
/// rollback. SQLite (embedded, one process) already serialises its writers.</summary>
public static class AdvisoryLock
{
    public static async Task AcquireAsync(PlatformDbContext db, string key, CancellationToken ct)
    {
        if (db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) != true)
        {
            return;
        }

        var id = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock({id})", ct);
    }
}
