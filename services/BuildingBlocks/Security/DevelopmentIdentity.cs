using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Rakuten.Platform.BuildingBlocks.Security;

/// <summary>The embedded demo's identity provider: an RSA signing key made at the first start and kept in the data
/// folder (owner-only file), tokens signed with it. Only embedded mode without a configured issuer uses it
/// (<see cref="IdentitySettings.From"/> refuses distributed mode without one), so it never signs anything a deployment trusts.</summary>
public sealed class DevelopmentIdentity
{
    public const string Issuer = "urn:rakuten-platform:embedded";

    private readonly RsaSecurityKey _key;

    private DevelopmentIdentity(RsaSecurityKey key) => _key = key;

    /// <summary>The key that checks the tokens (its public part would do; the process holds both anyway).</summary>
    public SecurityKey ValidationKey => _key;

    private sealed record StoredKey(string KeyId, string Pkcs8);

    public static DevelopmentIdentity LoadOrCreate(string dataDirectory)
    {
        var folder = Path.Combine(dataDirectory, "identity");
        var file = Path.Combine(folder, "development-signing-key.json");
        var rsa = RSA.Create();
        StoredKey stored;
        if (File.Exists(file))
        {
            stored = JsonSerializer.Deserialize<StoredKey>(File.ReadAllText(file))
                     ?? throw new InvalidOperationException($"{file} is not a signing key: delete it and start again to make a new one.");
            rsa.ImportPkcs8PrivateKey(Convert.FromBase64String(stored.Pkcs8), out _);
        }
        else
        {
            rsa.KeySize = 2048;
            stored = new StoredKey(Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant(), Convert.ToBase64String(rsa.ExportPkcs8PrivateKey()));
            Directory.CreateDirectory(folder);
            using var stream = Hosting.OwnerOnlyFile.CreateNew(file);
            JsonSerializer.Serialize(stream, stored);
        }

        return new DevelopmentIdentity(new RsaSecurityKey(rsa) { KeyId = stored.KeyId });
    }

    /// <summary>A signed token for <paramref name="tenant"/> (null: a platform ops identity) with <paramref name="roles"/>.</summary>
    public string Issue(IdentitySettings settings, string subject, Guid? tenant, IEnumerable<string> roles, TimeSpan lifetime, DateTimeOffset now)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject, [settings.RoleClaim] = roles.ToArray() };
        if (tenant is { } t)
        {
            claims[settings.TenantClaim] = t.ToString();
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
    }
}
