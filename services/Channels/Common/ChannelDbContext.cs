using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.Contracts;
using Rakuten.Platform.Contracts.Connections;

namespace Rakuten.Platform.Channels.Common;

/// <summary>A channel service's database: the platform tables plus its connections.</summary>
// Recorded under BuildingBlocks, where these scripts lived until issue 19 moved them here: databases made before the move
// must not run them again (the SQLite ones alter tables, which cannot be done twice).
[SchemaPart("Rakuten.Platform.BuildingBlocks")]
public abstract class ChannelDbContext(DbContextOptions options) : PlatformDbContext(options)
{
    public DbSet<ConnectionRecord> Connections => Set<ConnectionRecord>();

    /// <summary>The connections whose flows run: not removed, not paused (<see cref="ConnectionRecord.FlowsPaused"/> is
    /// decided in code, so the few connections are read and filtered here).</summary>
    public async Task<List<Guid>> ActiveConnectionIdsAsync(CancellationToken ct) =>
        (await Connections.AsNoTracking().Where(c => c.RemovedAt == null).ToListAsync(ct)).Where(c => !c.FlowsPaused).Select(c => c.Id).ToList();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ConnectionRecord>(e =>
        {
            e.ToTable("connections");
            e.HasKey(x => x.Id);
            e.Property(x => x.Channel).HasConversion<string>();
            e.Property(x => x.Health).HasConversion<string>();
        });
    }
}

/// <summary>One connection. <see cref="ProtectedCredentials"/> is Data Protection ciphertext: the plain
/// credentials exist only in memory, inside the channel service, for the duration of a call.</summary>
public sealed class ConnectionRecord
{
    public required Guid Id { get; init; }

    public required Guid TenantId { get; init; }

    public required Channel Channel { get; init; }

    public required string Name { get; set; }

    /// <summary>The account as its marketplace names it (never as typed by the caller): RMS shop URL (shopMaster), Rakuten
    /// France login, Shopify shop domain. One live connection per account on the whole platform.</summary>
    public required string ExternalId { get; set; }

    /// <summary>The marketplace's number for the account when it only shows in its data: RMS's shop id, the prefix of every
    /// order number (learned on connect when the shop has orders, else from its first order).</summary>
    public string? AccountNumber { get; set; }

    /// <summary>SHA-256 of the secret that identifies the account (RMS's serviceSecret), so that one secret backs one connection.</summary>
    public string? SecretFingerprint { get; set; }

    /// <summary>When the account was identified by the marketplace under the one-shop-one-connection rules; null for a
    /// connection made before them (identified at its next credentials update or check).</summary>
    public DateTimeOffset? IdentifiedAt { get; set; }

    public required string BaseUrl { get; set; }

    public required string ProtectedCredentials { get; set; }

    public ConnectionHealth Health { get; set; }

    public string HealthDetail { get; set; } = "";

    public DateTimeOffset? CredentialsExpireAt { get; set; }

    /// <summary>The last expiry warning raised (14, 7 or 0 days), so each fires once per key.</summary>
    public int? LastWarningDays { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? RemovedAt { get; set; }

    /// <summary>Flows (pollers, pushers) skip a paused connection: no hammering a dead key.</summary>
    public bool FlowsPaused => RemovedAt is not null || Health is ConnectionHealth.Unauthorized or ConnectionHealth.Expired;
}
