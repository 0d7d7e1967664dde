using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Outbox;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Contracts.Connections;

namespace Rakuten.Platform.Channels.Common;

public sealed record ConnectRequest<TCredentials>(string Name, TCredentials Credentials, string? BaseUrl = null);

public sealed record UpdateCredentials<TCredentials>(TCredentials Credentials);

/// <summary>A connection as the API shows it: never its credentials.</summary>
public sealed record ConnectionView(
    Guid Id, Guid TenantId, string Channel, string Name, string ExternalId, string? AccountNumber, string BaseUrl, string Health, string HealthDetail,
    DateTimeOffset? CredentialsExpireAt, bool FlowsPaused, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? RemovedAt)
{
    public static ConnectionView Of(ConnectionRecord c) => new(
        c.Id, c.TenantId, c.Channel.ToString(), c.Name, c.ExternalId, c.AccountNumber, c.BaseUrl, c.Health.ToString(), c.HealthDetail,
        c.CredentialsExpireAt, c.FlowsPaused, c.CreatedAt, c.UpdatedAt, c.RemovedAt);
}

public static class ConnectionEndpoints
{
    /// <summary>Data Protection for credentials. The key ring is the operator's: <c>Platform:DataProtection:KeyRingPath</c>
    /// (embedded mode defaults to <c>{DataDirectory}/keys</c>; distributed mode requires it, shared by the replicas). In
    /// distributed mode the ring itself is encrypted at rest with a certificate (<c>Platform:DataProtection:CertificatePath</c>,
    /// PEM with <c>KeyPath</c>, or PKCS#12 with <c>CertificatePassword</c> — a Kubernetes TLS Secret, deploy/k8s), and the
    /// service refuses to start without one: a copied volume must not hand out every merchant's credentials.</summary>
    public static WebApplicationBuilder AddConnectionSecrets(this WebApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(ConnectionSecrets)))
        {
            return builder;
        }

        var options = builder.GetPlatformOptions();
        var section = builder.Configuration.GetSection("Platform:DataProtection");
        var path = section["KeyRingPath"]
                   ?? (options.Mode == PlatformMode.Embedded
                       ? Path.Combine(options.DataDirectory, "keys")
                       : throw new InvalidOperationException(
                           "Platform:DataProtection:KeyRingPath is not set: distributed mode needs a key ring folder shared by every replica of the channel services (see README)."));
        var protection = builder.Services.AddDataProtection().SetApplicationName("Rakuten.Platform").PersistKeysToFileSystem(new DirectoryInfo(path));
        if (section["CertificatePath"] is { Length: > 0 } certificatePath)
        {
            var certificate = LoadCertificate(certificatePath, section["KeyPath"], section["CertificatePassword"]);
            // Earlier certificates still open the keys they encrypted, so that a rotated certificate loses nothing.
            var previous = section.GetSection("PreviousCertificatePaths").Get<string[]>() ?? [];
            protection.ProtectKeysWithCertificate(certificate)
                .UnprotectKeysWithAnyCertificate([certificate, .. previous.Select(p => LoadCertificate(p, Path.ChangeExtension(p, ".key"), section["CertificatePassword"]))]);
        }
        else if (options.Mode == PlatformMode.Distributed)
        {
            throw new InvalidOperationException(
                "Platform:DataProtection:CertificatePath is not set: distributed mode encrypts the key ring that protects merchants' credentials at rest " +
                "with a certificate (a Kubernetes TLS Secret, see deploy/k8s/README.md; locally deploy/local/identity.sh makes one).");
        }

        builder.Services.AddSingleton<ConnectionSecrets>();
        builder.Services.AddSingleton<ConnectionDirectory>();
        return builder;
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 LoadCertificate(string certificatePath, string? keyPath, string? password)
    {
        if (!File.Exists(certificatePath))
        {
            throw new InvalidOperationException($"Platform:DataProtection:CertificatePath names {certificatePath}, which does not exist.");
        }

        var certificate = keyPath is { Length: > 0 } && File.Exists(keyPath)
            ? System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
            : System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
        return certificate.HasPrivateKey
            ? certificate
            : throw new InvalidOperationException($"The Data Protection certificate {certificatePath} has no private key (set Platform:DataProtection:KeyPath).");
    }

    /// <summary>The connections API under <c>{api}/connections</c>, in the caller's tenant: connect (the base URL checked
    /// against the outbound policy, then the credentials against the marketplace; nothing stored when refused; one live
    /// connection per marketplace account on the platform), list, read, replace credentials (resumes paused flows), check
    /// now, remove (keeps history). Changes need <c>admin</c>; each is in the audit log with its outcome.</summary>
    public static IEndpointRouteBuilder MapConnections<TContext, TCredentials>(this RouteGroupBuilder api)
        where TContext : ChannelDbContext where TCredentials : class
    {
        var group = api.MapGroup("/connections");
        // The gRPC Connections service answers for every channel whose connections this process keeps.
        var directory = ((IEndpointRouteBuilder)api).ServiceProvider.GetRequiredService<ConnectionDirectory>();
        directory.Add(((IEndpointRouteBuilder)api).ServiceProvider.GetRequiredService<IChannelConnector<TCredentials>>().Channel, typeof(TContext));

        group.MapPost("/", async (HttpRequest http, Caller caller, ConnectRequest<TCredentials> request, TContext db, IChannelConnector<TCredentials> connector,
            OutboundPolicy policy, ConnectionSecrets secrets, TimeProvider clock, ILoggerFactory logs, IEnumerable<IConnectionAdded<TContext>> added, CancellationToken ct) =>
        {
            // A generic type's nullability is not known to the JSON reader: a missing credentials object is checked here.
            if (request.Credentials is null) return ApiErrors.Validation(["credentials is required"]);
            var problems = new List<string>();
            if (Text.Problem(request.Name, 1, 100) is { } name) problems.Add($"name {name}");
            problems.AddRange(connector.Validate(request.Credentials));
            var baseUrl = request.BaseUrl ?? connector.DefaultBaseUrl(request.Credentials);
            var (allowed, shape) = policy.Check(connector.Channel, baseUrl);
            if (shape is not null || baseUrl.Length > 500) problems.Add($"baseUrl {shape ?? "must be at most 500 characters"}");
            if (problems.Count > 0) return ApiErrors.Validation(problems);

            var now = clock.GetUtcNow();
            var target = $"{connector.Channel} connection";
            if (!allowed)
            {
                return await RefuseAsync(db, caller, "connection.create", target, ConnectionCheck.Unanswered(connector.Channel), now, ct);
            }

            var check = await connector.CheckAsync(new Uri(baseUrl), request.Credentials, ct);
            if (!check.Accepted)
            {
                logs.CreateLogger("Connections").LogWarning("{Channel} connection for tenant {Tenant} refused: {Problem}", connector.Channel, caller.Tenant, check.Problem);
                return await RefuseAsync(db, caller, "connection.create", target, check, now, ct);
            }

            // Only once the marketplace accepted them: whether a secret is in use is told to those who hold it, no one else.
            var fingerprint = connector.SecretFingerprint(request.Credentials);
            if (fingerprint is not null && await db.Connections.AnyAsync(c => c.Channel == connector.Channel && c.SecretFingerprint == fingerprint && c.RemovedAt == null, ct))
            {
                return await ConflictAsync(db, caller, "connection.create", target, $"These credentials already back a live {ConnectionCheck.Marketplace(connector.Channel)} connection on the platform: one shop, one connection.", now, ct);
            }

            if (await TakenAsync(db, connector.Channel, check.ExternalId, check.AccountNumber, null, ct))
            {
                return await ConflictAsync(db, caller, "connection.create", $"{target} {check.ExternalId}",
                    $"{ConnectionCheck.Marketplace(connector.Channel)} account {check.ExternalId} already backs a live connection on the platform: one shop, one connection. " +
                    "Remove that connection first (if it is not one of yours, the platform's support can tell whose it is).", now, ct);
            }

            var connection = new ConnectionRecord
            {
                Id = Guid.NewGuid(), TenantId = caller.Tenant, Channel = connector.Channel, Name = request.Name.Trim(), ExternalId = check.ExternalId,
                AccountNumber = check.AccountNumber, SecretFingerprint = fingerprint, IdentifiedAt = now,
                BaseUrl = baseUrl, ProtectedCredentials = secrets.Protect(request.Credentials), Health = ConnectionHealth.Healthy,
                HealthDetail = "Credentials accepted.", CredentialsExpireAt = check.CredentialsExpireAt, CreatedAt = now, UpdatedAt = now,
            };
            db.Connections.Add(connection);
            Announce(db, connection, now);
            db.Audit(caller, "connection.create", $"connection/{connection.Id}", now, detail: $"{connection.Channel} {connection.ExternalId}");
            foreach (var hook in added)
            {
                hook.Staging(db, connection, now);
            }

            if (!await SaveUniqueAsync(db, ct))
            {
                return await ConflictAsync(db, caller, "connection.create", $"{target} {check.ExternalId}",
                    $"{ConnectionCheck.Marketplace(connector.Channel)} account {check.ExternalId} already backs a live connection on the platform: one shop, one connection.", now, ct);
            }

            logs.CreateLogger("Connections").LogInformation("{Channel} connection {Connection} ({External}) added for tenant {Tenant}",
                connection.Channel, connection.Id, connection.ExternalId, connection.TenantId);
            foreach (var hook in added)
            {
                hook.Added(connection);
            }

            return Results.Created($"{http.Path.Value!.TrimEnd('/')}/{connection.Id}", ConnectionView.Of(connection));
        }).RequireAuthorization(PlatformPolicies.Admin).SpendsMarketplaceQuota().Produces<ConnectionView>(StatusCodes.Status201Created);

        group.MapGet("/", async (Caller caller, TContext db, CancellationToken ct) =>
        {
            var connections = await db.Connections.AsNoTracking().Where(c => c.TenantId == caller.Tenant).ToListAsync(ct);
            return Results.Ok(connections.OrderBy(c => c.CreatedAt).Select(ConnectionView.Of).ToList());
        }).Produces<List<ConnectionView>>();

        group.MapGet("/{id:guid}", async (Guid id, Caller caller, TContext db, CancellationToken ct) =>
            Results.Ok(ConnectionView.Of(await FindAsync(db, id, caller, live: false, tracked: false, ct))))
            .Produces<ConnectionView>();

        group.MapPut("/{id:guid}/credentials", async (Guid id, Caller caller, UpdateCredentials<TCredentials> request, TContext db,
            IChannelConnector<TCredentials> connector, OutboundPolicy policy, ConnectionSecrets secrets, TimeProvider clock, CancellationToken ct) =>
        {
            var connection = await FindAsync(db, id, caller, live: true, tracked: true, ct);
            if (request.Credentials is null) return ApiErrors.Validation(["credentials is required"]);
            var problems = connector.Validate(request.Credentials).ToList();
            if (problems.Count > 0) return ApiErrors.Validation(problems);
            var now = clock.GetUtcNow();
            var target = $"connection/{id}";
            if (!policy.Check(connector.Channel, connection.BaseUrl).Allowed)
            {
                return await RefuseAsync(db, caller, "connection.credentials", target, ConnectionCheck.Unanswered(connector.Channel), now, ct);
            }

            var fingerprint = connector.SecretFingerprint(request.Credentials);
            if (fingerprint is not null && fingerprint != connection.SecretFingerprint
                && await db.Connections.AnyAsync(c => c.Id != id && c.Channel == connector.Channel && c.SecretFingerprint == fingerprint && c.RemovedAt == null, ct))
            {
                return await ConflictAsync(db, caller, "connection.credentials", target,
                    "These credentials back another live connection on the platform: they belong to another shop.", now, ct);
            }

            var check = await connector.CheckAsync(new Uri(connection.BaseUrl), request.Credentials, ct);
            if (!check.Accepted) return await RefuseAsync(db, caller, "connection.credentials", target, check, now, ct);
            if (Mismatch(connection, check) is { } other)
            {
                return await RefuseAsync(db, caller, "connection.credentials", target, ConnectionCheck.Refused(
                    $"These credentials belong to {other}, not to {connection.ExternalId}{(connection.AccountNumber is null ? "" : $" ({connection.AccountNumber})")}.",
                    "Add a new connection for the other shop instead."), now, ct);
            }

            if (await TakenAsync(db, connector.Channel, check.ExternalId, check.AccountNumber, id, ct))
            {
                return await ConflictAsync(db, caller, "connection.credentials", target,
                    $"{ConnectionCheck.Marketplace(connector.Channel)} account {check.ExternalId} already backs another live connection on the platform.", now, ct);
            }

            // New credentials (a renewed RMS license key, say): the old key keeps working at the marketplace until
            // its own expiry, so nothing in flight fails; paused flows resume from where they stopped.
            connection.ProtectedCredentials = secrets.Protect(request.Credentials);
            connection.CredentialsExpireAt = check.CredentialsExpireAt;
            connection.LastWarningDays = null;
            Identify(connection, check, fingerprint, now);
            SetHealth(db, connection, ConnectionHealth.Healthy, "Credentials updated and accepted.", now);
            db.Audit(caller, "connection.credentials", target, now);
            if (!await SaveUniqueAsync(db, ct))
            {
                return await ConflictAsync(db, caller, "connection.credentials", target,
                    $"{ConnectionCheck.Marketplace(connector.Channel)} account {check.ExternalId} already backs another live connection on the platform.", now, ct);
            }

            return Results.Ok(ConnectionView.Of(connection));
        }).RequireAuthorization(PlatformPolicies.Admin).SpendsMarketplaceQuota().Produces<ConnectionView>();

        // Checks the stored credentials now (the merchant's "test connection"): a refusal marks the connection
        // Unauthorized and pauses its flows; no answer marks it Unreachable; acceptance makes it Healthy again.
        group.MapPost("/{id:guid}/check", async (Guid id, Caller caller, TContext db, IChannelConnector<TCredentials> connector,
            ConnectionSecrets secrets, TimeProvider clock, CancellationToken ct) =>
        {
            var connection = await FindAsync(db, id, caller, live: true, tracked: true, ct);
            var check = await connector.CheckAsync(new Uri(connection.BaseUrl), secrets.Unprotect<TCredentials>(connection.ProtectedCredentials), ct);
            var (health, detail) = check switch
            {
                { Accepted: true } when Mismatch(connection, check) is { } other =>
                    (ConnectionHealth.Unauthorized, $"The stored credentials now belong to {other}, not to {connection.ExternalId}. Flows are paused until the credentials are updated."),
                { Accepted: true } => (ConnectionHealth.Healthy, "Credentials accepted."),
                { Unreachable: true } => (ConnectionHealth.Unreachable, $"{check.Problem} {check.Fix}"),
                _ => (ConnectionHealth.Unauthorized, $"{check.Problem} {check.Fix} Flows are paused until the credentials are updated."),
            };
            var now = clock.GetUtcNow();
            if (health == ConnectionHealth.Healthy)
            {
                if (check.CredentialsExpireAt is { } expiry) connection.CredentialsExpireAt = expiry;
                if (!await TakenAsync(db, connector.Channel, check.ExternalId, check.AccountNumber, id, ct))
                {
                    Identify(connection, check, connection.SecretFingerprint, now);
                }
            }

            if (health != connection.Health || detail != connection.HealthDetail)
            {
                SetHealth(db, connection, health, detail, now);
            }

            db.Audit(caller, "connection.check", $"connection/{id}", now, check.Accepted ? AuditOutcome.Succeeded : AuditOutcome.Refused, health.ToString());
            await db.SaveChangesAsync(ct);
            return Results.Ok(ConnectionView.Of(connection));
        }).RequireAuthorization(PlatformPolicies.Admin).SpendsMarketplaceQuota().Produces<ConnectionView>();

        group.MapDelete("/{id:guid}", async (Guid id, Caller caller, TContext db, TimeProvider clock, IEnumerable<IConnectionAdded<TContext>> hooks, CancellationToken ct) =>
        {
            var connection = await FindAsync(db, id, caller, live: true, tracked: true, ct);
            var now = clock.GetUtcNow();
            connection.RemovedAt = now;
            SetHealth(db, connection, ConnectionHealth.Removed, "Removed: its flows are stopped; its history is kept.", now);
            db.Audit(caller, "connection.remove", $"connection/{id}", now, detail: $"{connection.Channel} {connection.ExternalId}");
            await db.SaveChangesAsync(ct);
            foreach (var hook in hooks)
            {
                hook.Removed(connection);
            }

            return Results.Ok(ConnectionView.Of(connection));
        }).RequireAuthorization(PlatformPolicies.Admin).Produces<ConnectionView>();

        return api;
    }

    /// <summary>The caller's connection <paramref name="id"/>; another tenant's, or none, is the same 404.</summary>
    public static async Task<ConnectionRecord> FindAsync(ChannelDbContext db, Guid id, Caller caller, bool live, bool tracked, CancellationToken ct)
    {
        var query = tracked ? db.Connections : db.Connections.AsNoTracking();
        return await query.FirstOrDefaultAsync(c => c.Id == id && c.TenantId == caller.Tenant && (!live || c.RemovedAt == null), ct)
               ?? throw PlatformProblem.NotFound(live ? "live connection with this id" : "connection with this id");
    }

    /// <summary>Whether another live connection already backs this account (by name or number).</summary>
    private static Task<bool> TakenAsync(ChannelDbContext db, Contracts.Channel channel, string externalId, string? number, Guid? except, CancellationToken ct)
    {
        var name = externalId.ToLowerInvariant();
        return db.Connections.AnyAsync(c => c.Channel == channel && c.RemovedAt == null && c.Id != except
                                            && (c.ExternalId.ToLower() == name || (number != null && c.AccountNumber == number)), ct);
    }

    /// <summary>The other account the checked credentials belong to, or null when they are this connection's. A connection
    /// made before the one-shop rules (its name typed by a person) takes the marketplace's name at its first check.</summary>
    private static string? Mismatch(ConnectionRecord connection, ConnectionCheck check)
    {
        if (connection.AccountNumber is { } number && check.AccountNumber is { } seen && seen != number)
        {
            return $"{check.ExternalId} ({seen})";
        }

        return connection.IdentifiedAt is not null && !string.Equals(check.ExternalId, connection.ExternalId, StringComparison.OrdinalIgnoreCase)
            ? check.ExternalId
            : null;
    }

    private static void Identify(ConnectionRecord connection, ConnectionCheck check, string? fingerprint, DateTimeOffset now)
    {
        connection.ExternalId = check.ExternalId;
        connection.AccountNumber ??= check.AccountNumber;
        connection.SecretFingerprint = fingerprint ?? connection.SecretFingerprint;
        connection.IdentifiedAt ??= now;
    }

    /// <summary>Saves; false when a unique index of the connections refused it (another replica connected the same account).</summary>
    private static async Task<bool> SaveUniqueAsync(ChannelDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            return false;
        }
    }

    /// <summary>422 when the marketplace refused the credentials or could not be reached at the address (one generic
    /// message); 503 when it answered that it cannot answer now (maintenance). Audited as refused.</summary>
    private static async Task<IResult> RefuseAsync(ChannelDbContext db, Caller caller, string action, string target, ConnectionCheck check, DateTimeOffset now, CancellationToken ct)
    {
        await db.AuditRefusalAsync(caller, action, target, now, check.Problem!, ct);
        var status = check.Unreachable && !check.NotReached ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status422UnprocessableEntity;
        return ApiErrors.Problem(status, check.Problem!, check.Fix, new Dictionary<string, object?> { ["error"] = check.Problem, ["fix"] = check.Fix });
    }

    private static async Task<IResult> ConflictAsync(ChannelDbContext db, Caller caller, string action, string target, string reason, DateTimeOffset now, CancellationToken ct)
    {
        await db.AuditRefusalAsync(caller, action, target, now, reason, ct);
        return ApiErrors.Problem(StatusCodes.Status409Conflict, reason, null, new Dictionary<string, object?> { ["error"] = reason });
    }

    /// <summary>Moves a connection to <paramref name="health"/> and stages the event, in the caller's unit of work.</summary>
    public static void SetHealth(ChannelDbContext db, ConnectionRecord connection, ConnectionHealth health, string detail, DateTimeOffset now)
    {
        connection.Health = health;
        connection.HealthDetail = detail;
        connection.UpdatedAt = now;
        Announce(db, connection, now);
    }

    /// <summary>Stages ConnectionHealthChanged for a connection's current health: other services know a
    /// connection only by this event, never by its credentials.</summary>
    public static void Announce(ChannelDbContext db, ConnectionRecord connection, DateTimeOffset now) =>
        db.AddToOutbox(new ConnectionHealthChanged(connection.TenantId, connection.Id, connection.Channel, connection.Health,
            connection.HealthDetail, connection.CredentialsExpireAt, now));
}
