using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Rakuten.Platform.TestService.Testing;

/// <summary>The tests' identity provider: an RSA key of this test process, its public half published as a JSON Web Key
/// Set file that the services are configured with (<c>Platform:Identity:SigningKeysFile</c>), as an operator would with
/// any provider's keys. Tokens are signed here, like a provider signs them.</summary>
public static class TestIdentity
{
    public const string Issuer = "https://identity.tests.invalid/";
    public const string Audience = "rakuten-platform";

    private static readonly RSA Key = RSA.Create(2048);
    private static readonly RsaSecurityKey Signing = new(Key) { KeyId = "tests-" + Guid.NewGuid().ToString("N")[..8] };
    private static readonly Lazy<string> Jwks = new(WriteJwks);

    /// <summary>The settings that make a service accept these tokens.</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Platform:Identity:Issuer"] = Issuer,
        ["Platform:Identity:Audience"] = Audience,
        ["Platform:Identity:SigningKeysFile"] = Jwks.Value,
    };

    public static readonly string[] AllTenantRoles = ["admin", "operator", "viewer"];

    /// <summary>A token for <paramref name="tenant"/> (null: a platform ops identity without a tenant).</summary>
    public static string Token(Guid? tenant, IEnumerable<string> roles, string subject = "tests", TimeSpan? lifetime = null, string issuer = Issuer,
        string audience = Audience, SecurityKey? key = null, string algorithm = SecurityAlgorithms.RsaSha256)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject, ["roles"] = roles.ToArray() };
        if (tenant is { } t)
        {
            claims["tenant_id"] = t.ToString();
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = now.AddMinutes(-1),
            NotBefore = now.AddMinutes(-1),
            Expires = now + (lifetime ?? TimeSpan.FromHours(2)),
            SigningCredentials = new SigningCredentials(key ?? Signing, algorithm),
        });
    }

    public static AuthenticationHeaderValue Bearer(Guid? tenant, params string[] roles) =>
        new("Bearer", Token(tenant, roles.Length > 0 ? roles : AllTenantRoles));

    private static string WriteJwks()
    {
        var folder = Path.Combine(Path.GetTempPath(), "rakuten-platform-tests");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"jwks-{Environment.ProcessId}-{Signing.KeyId}.json");
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(Key.ExportParameters(false)) { KeyId = Signing.KeyId });
        jwk.Use = "sig";
        jwk.Alg = SecurityAlgorithms.RsaSha256;
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = jwk.Kty, use = jwk.Use, alg = jwk.Alg, kid = jwk.Kid, n = jwk.N, e = jwk.E } },
        }));
        return file;
    }

    private static readonly Lazy<(string Certificate, string Key)> DataProtection = new(WriteCertificate);

    /// <summary>The settings of an encrypted key ring: a self-signed certificate of this test process, as an operator's Secret.</summary>
    public static Dictionary<string, string?> DataProtectionSettings() => new()
    {
        ["Platform:DataProtection:CertificatePath"] = DataProtection.Value.Certificate,
        ["Platform:DataProtection:KeyPath"] = DataProtection.Value.Key,
    };

    private static (string, string) WriteCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=rakuten-platform-tests-dataprotection", rsa,
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var folder = Path.Combine(Path.GetTempPath(), "rakuten-platform-tests");
        Directory.CreateDirectory(folder);
        var name = Path.Combine(folder, $"dataprotection-{Environment.ProcessId}-{Guid.NewGuid():N}");
        File.WriteAllText(name + ".crt", certificate.ExportCertificatePem());
        File.WriteAllText(name + ".key", rsa.ExportPkcs8PrivateKeyPem());
        return (name + ".crt", name + ".key");
    }
}
