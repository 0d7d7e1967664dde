using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.BuildingBlocks.Persistence;

namespace Rakuten.Platform.BuildingBlocks.Security;

/// <summary>A tenant's API key for a machine caller: its name, roles and a SHA-256 of its secret — the key itself is
/// shown once, when it is made, and never stored.</summary>
public sealed class ApiKeyRecord
{
    public required Guid Id { get; init; }

    public required Guid TenantId { get; init; }

    public required string Name { get; init; }

    /// <summary>Space-separated roles (viewer, operator, admin).</summary>
    public required string Roles { get; init; }

    /// <summary>Lower-case hex SHA-256 of the secret part of the key.</summary>
    public required string SecretHash { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }

    public IReadOnlyList<string> RoleList => Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>The platform's identity store: API keys (and the audit log of their changes). One database
/// (<c>rakuten_identity</c>) that every service reads to authenticate a key; only the API key endpoints write it.</summary>
[SchemaPart("Rakuten.Platform.BuildingBlocks")]
public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : PlatformDbContext(options)
{
    public const string Service = "identity";

    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ApiKeyRecord>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(x => x.Id);
            e.Ignore(x => x.RoleList);
        });
    }
}

/// <summary>The shape of a key: <c>rpk_{id as 32 hex}_{secret as 43 base64url}</c>. The id finds the row; the secret
/// (256 random bits) is compared by hash, in constant time. A fast hash is enough: the secret is random, not a password.</summary>
public static class ApiKeyFormat
{
    public const string Prefix = "rpk_";

    public static (string Key, string SecretHash) New(Guid id)
    {
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return ($"{Prefix}{id:N}_{secret}", Hash(secret));
    }

    /// <summary>The id and secret of a presented key, or null when it is not one (wrong shape, wrong length).</summary>
    public static (Guid Id, string Secret)? Parse(string presented)
    {
        // rpk_ + 32 + _ + 43: anything longer is not a key, and is not hashed.
        if (presented.Length != Prefix.Length + 32 + 1 + 43 || !presented.StartsWith(Prefix, StringComparison.Ordinal) || presented[Prefix.Length + 32] != '_')
        {
            return null;
        }

        return Guid.TryParseExact(presented.AsSpan(Prefix.Length, 32), "N", out var id) ? (id, presented[(Prefix.Length + 33)..]) : null;
    }

    public static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret))).ToLowerInvariant();

    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
