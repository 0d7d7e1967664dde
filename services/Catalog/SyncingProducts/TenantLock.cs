using Microsoft.EntityFrameworkCore;

namespace Rakuten.Platform.Catalog.SyncingProducts;

/// <summary>The SKU registry is a per-tenant invariant: two products claiming the same SKU at the same moment
/// must not each miss the other's uncommitted claim. On PostgreSQL a transaction-scoped advisory lock per tenant
/// serialises those transactions (released at commit or rollback); SQLite (embedded, one process) already
/// serialises writers.</summary>
public static class TenantLock
{
    public static async Task AcquireAsync(CatalogDbContext db, Guid tenantId, CancellationToken ct)
    {
        if (db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) != true)
        {
            return;
        }

        var bytes = tenantId.ToByteArray();
        var key = BitConverter.ToInt64(bytes, 0) ^ BitConverter.ToInt64(bytes, 8);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock({key})", ct);
    }
}
