using Microsoft.Extensions.Configuration;
using Rakuten.Platform.BuildingBlocks.Hosting;

namespace Rakuten.Platform.BuildingBlocks.Security;

/// <summary>The <c>Platform:Identity</c> section: which bearer tokens the API accepts (docs/security.md).</summary>
/// <param name="Issuer">The identity provider's issuer (<c>iss</c>); required in distributed mode.</param>
/// <param name="Audience">The audience tokens must be issued for (<c>aud</c>).</param>
/// <param name="Authority">An OIDC authority whose discovery document gives the signing keys (https), instead of or
/// beside <paramref name="SigningKeysFile"/>.</param>
/// <param name="SigningKeysFile">A JSON Web Key Set file (the provider's public keys), for validation without a call.</param>
/// <param name="TenantClaim">The claim that names the identity's tenant (a GUID).</param>
/// <param name="RoleClaim">The claim holding the roles (a string or an array).</param>
public sealed record IdentitySettings(
    string? Issuer, string Audience, string? Authority, string? SigningKeysFile, string TenantClaim, string RoleClaim)
{
    public const string DefaultAudience = "rakuten-platform";

    /// <summary>True when the embedded demo's own signing key stands in for an identity provider.</summary>
    public bool Development { get; init; }

    public static IdentitySettings From(IConfiguration configuration, PlatformOptions options)
    {
        var section = configuration.GetSection("Platform:Identity");
        var settings = new IdentitySettings(
            Blank(section["Issuer"]),
            Blank(section["Audience"]) ?? DefaultAudience,
            Blank(section["Authority"]),
            Blank(section["SigningKeysFile"]),
            Blank(section["TenantClaim"]) ?? "tenant_id",
            Blank(section["RoleClaim"]) ?? "roles");

        if (settings.Issuer is null)
        {
            // Never a development key where it could be reached by anyone else than the person running the demo.
            if (options.Mode == PlatformMode.Distributed)
            {
                throw new InvalidOperationException(
                    "Platform:Identity:Issuer is not set: distributed mode accepts only tokens of a configured identity provider " +
                    "(set Platform:Identity:Issuer, Audience and Authority or SigningKeysFile; docs/security.md).");
            }

            return settings with { Issuer = DevelopmentIdentity.Issuer, Development = true };
        }

        if (settings.Authority is null && settings.SigningKeysFile is null)
        {
            throw new InvalidOperationException(
                "Platform:Identity:Issuer is set but neither Platform:Identity:Authority (OIDC discovery) nor " +
                "Platform:Identity:SigningKeysFile (a JWKS file) says which keys sign its tokens (docs/security.md).");
        }

        return settings;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
