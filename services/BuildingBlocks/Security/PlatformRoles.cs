namespace Rakuten.Platform.BuildingBlocks.Security;

/// <summary>The roles an identity carries (DESIGN §13): a tenant's <c>viewer</c> reads, its <c>operator</c> also acts on
/// orders, holds, listings, stock rules and carriers, its <c>admin</c> also manages connections, credentials and API keys.
/// The platform's own <c>ops</c> reads any tenant for support, one tenant per request, and every such read is audited.</summary>
public static class PlatformRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";
    public const string Ops = "ops";

    /// <summary>The roles a tenant's identity (or API key) may hold.</summary>
    public static readonly IReadOnlyList<string> TenantRoles = [Viewer, Operator, Admin];

    /// <summary>Each role with the roles it includes.</summary>
    public static bool Grants(IReadOnlySet<string> held, string wanted) => wanted switch
    {
        Viewer => held.Contains(Viewer) || held.Contains(Operator) || held.Contains(Admin),
        Operator => held.Contains(Operator) || held.Contains(Admin),
        Admin => held.Contains(Admin),
        Ops => held.Contains(Ops),
        _ => false,
    };
}

/// <summary>The authorization policies of the platform's API, one per role.</summary>
public static class PlatformPolicies
{
    /// <summary>Reads: a tenant's viewer, operator or admin — or ops, reading one tenant.</summary>
    public const string Viewer = "platform-viewer";

    /// <summary>Actions on orders, holds, listings, stock rules and carriers.</summary>
    public const string Operator = "platform-operator";

    /// <summary>Connections, credentials, API keys, the audit log.</summary>
    public const string Admin = "platform-admin";

    /// <summary>Platform-wide operations views (outboxes): the platform's own operators only.</summary>
    public const string Ops = "platform-ops";
}
