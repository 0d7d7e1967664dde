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
using Rakuten.Platform.Contracts.Connections;

namespace Rakuten.Platform.BuildingBlocks.Connections;

public sealed record ConnectRequest<TCredentials>(Guid TenantId, string Name, TCredentials Credentials, string? BaseUrl = null);

public sealed record UpdateCredentials<TCredentials>(TCredentials Credentials);

/// <summary>A connection as the ops API shows it: never its credentials.</summary>
public sealed record ConnectionView(
    Guid Id, Guid TenantId, string Channel, string Name, string ExternalId, string BaseUrl, string Health, string HealthDetail,
    DateTimeOffset? CredentialsExpireAt, bool FlowsPaused, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? RemovedAt)
{
    public static ConnectionView Of(ConnectionRecord c) => new(
        c.Id, c.TenantId, c.Channel.ToString(), c.Name, c.ExternalId, c.BaseUrl, c.Health.ToString(), c.HealthDetail,
        c.CredentialsExpireAt, c.FlowsPaused, c.CreatedAt, c.UpdatedAt, c.RemovedAt);
}

public sealed record ConnectionRefused(string Error, string Fix);

public static class ConnectionEndpoints
{
    /// <summary>Data Protection for credentials. The key ring is the operator's: <c>Platform:DataProtection:KeyRingPath</c>
    /// (embedded mode defaults to <c>{DataDirectory}/keys</c>; distributed mode requires it, shared by the replicas).</summary>
    public static WebApplicationBuilder AddConnectionSecrets(this WebApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(ConnectionSecrets)))
        {
            return builder;
        }

        var options = builder.GetPlatformOptions();
        var path = builder.Configuration["Platform:DataProtection:KeyRingPath"]
                   ?? (options.Mode == PlatformMode.Embedded
                       ? Path.Combine(options.DataDirectory, "keys")
                       : throw new InvalidOperationException(
                           "Platform:DataProtection:KeyRingPath is not set: distributed mode needs a key ring folder shared by every replica of the channel services (see README)."));
        builder.Services.AddDataProtection().SetApplicationName("Rakuten.Platform").PersistKeysToFileSystem(new DirectoryInfo(path));
        builder.Services.AddSingleton<ConnectionSecrets>();
        return builder;
    }

    /// <summary>Ops endpoints under <c>{prefix}/connections</c>: connect (checked against the API first; nothing
    /// is stored when refused), list, read, replace credentials (resumes paused flows), remove (keeps history).</summary>
    public static IEndpointRouteBuilder MapConnections<TContext, TCredentials>(this IEndpointRouteBuilder app, string prefix)
        where TContext : ChannelDbContext where TCredentials : class
    {
        var group = app.MapGroup($"{prefix.TrimEnd('/')}/connections").WithTags($"Connections {prefix}");

        group.MapPost("/", async (ConnectRequest<TCredentials> request, TContext db, IChannelConnector<TCredentials> connector,
            ConnectionSecrets secrets, TimeProvider clock, ILoggerFactory logs, IEnumerable<IConnectionAdded<TContext>> added, CancellationToken ct) =>
        {
            var problems = new List<string>();
            if (request.TenantId == Guid.Empty) problems.Add("tenantId is required");
            if (string.IsNullOrWhiteSpace(request.Name)) problems.Add("name is required");
            if (request.Credentials is null) problems.Add("credentials are required");
            else problems.AddRange(connector.Validate(request.Credentials));
            if (problems.Count > 0)
            {
                return Results.BadRequest(new { errors = problems });
            }

            var baseUrl = request.BaseUrl ?? connector.DefaultBaseUrl(request.Credentials!);
            if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri)) problems.Add("baseUrl must be an absolute URL");
            if (problems.Count > 0)
            {
                return Results.BadRequest(new { errors = problems });
            }

            var check = await connector.CheckAsync(baseUri!, request.Credentials!, ct);
            if (!check.Accepted)
            {
                logs.CreateLogger("Connections").LogWarning("{Channel} connection for tenant {Tenant} refused: {Problem}", connector.Channel, request.TenantId, check.Problem);
                return Refusal(check);
            }

            if (await db.Connections.AnyAsync(c => c.TenantId == request.TenantId && c.Channel == connector.Channel && c.ExternalId == check.ExternalId && c.RemovedAt == null, ct))
            {
                return Results.Conflict(new { errors = new[] { $"tenant {request.TenantId} is already connected to {connector.Channel} {check.ExternalId}" } });
            }

            var now = clock.GetUtcNow();
            var connection = new ConnectionRecord
            {
                Id = Guid.NewGuid(), TenantId = request.TenantId, Channel = connector.Channel, Name = request.Name, ExternalId = check.ExternalId,
                BaseUrl = baseUrl, ProtectedCredentials = secrets.Protect(request.Credentials!), Health = ConnectionHealth.Healthy,
                HealthDetail = "Credentials accepted.", CredentialsExpireAt = check.CredentialsExpireAt, CreatedAt = now, UpdatedAt = now,
            };
            db.Connections.Add(connection);
            Announce(db, connection, now);
            await db.SaveChangesAsync(ct);
            logs.CreateLogger("Connections").LogInformation("{Channel} connection {Connection} ({External}) added for tenant {Tenant}",
                connection.Channel, connection.Id, connection.ExternalId, connection.TenantId);
            foreach (var hook in added)
            {
                hook.Added(connection);
            }

            return Results.Created($"{prefix}/connections/{connection.Id}", ConnectionView.Of(connection));
        });

        group.MapGet("/", async (Guid? tenantId, TContext db, CancellationToken ct) =>
        {
            var connections = await db.Connections.AsNoTracking().Where(c => tenantId == null || c.TenantId == tenantId).ToListAsync(ct);
            return Results.Ok(connections.OrderBy(c => c.CreatedAt).Select(c => ConnectionView.Of(c)).ToList());
        });

        group.MapGet("/{id:guid}", async (Guid id, TContext db, CancellationToken ct) =>
            await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) is { } c ? Results.Ok(ConnectionView.Of(c)) : Results.NotFound());

        group.MapPut("/{id:guid}/credentials", async (Guid id, UpdateCredentials<TCredentials> request, TContext db, IChannelConnector<TCredentials> connector,
            ConnectionSecrets secrets, TimeProvider clock, CancellationToken ct) =>
        {
            var connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == id && c.RemovedAt == null, ct);
            if (connection is null) return Results.NotFound();
            var problems = request.Credentials is null ? new List<string> { "credentials are required" } : connector.Validate(request.Credentials).ToList();
            if (problems.Count > 0) return Results.BadRequest(new { errors = problems });
            var check = await connector.CheckAsync(new Uri(connection.BaseUrl), request.Credentials!, ct);
            if (!check.Accepted) return Refusal(check);
            if (check.ExternalId != connection.ExternalId)
                return Results.UnprocessableEntity(new ConnectionRefused(
                    $"These credentials belong to {check.ExternalId}, not to {connection.ExternalId}.", "Add a new connection for the other shop instead."));

            // New credentials (a renewed RMS license key, say): the old key keeps working at the marketplace until
            // its own expiry, so nothing in flight fails; paused flows resume from where they stopped.
            connection.ProtectedCredentials = secrets.Protect(request.Credentials!);
            connection.CredentialsExpireAt = check.CredentialsExpireAt;
            connection.LastWarningDays = null;
            SetHealth(db, connection, ConnectionHealth.Healthy, "Credentials updated and accepted.", clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return Results.Ok(ConnectionView.Of(connection));
        });

        // Checks the stored credentials now (the merchant's "test connection"): a refusal marks the connection
        // Unauthorized and pauses its flows; no answer marks it Unreachable; acceptance makes it Healthy again.
        group.MapPost("/{id:guid}/check", async (Guid id, TContext db, IChannelConnector<TCredentials> connector,
            ConnectionSecrets secrets, TimeProvider clock, CancellationToken ct) =>
        {
            var connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == id && c.RemovedAt == null, ct);
            if (connection is null) return Results.NotFound();
            var check = await connector.CheckAsync(new Uri(connection.BaseUrl), secrets.Unprotect<TCredentials>(connection.ProtectedCredentials), ct);
            var (health, detail) = check switch
            {
                { Accepted: true } => (ConnectionHealth.Healthy, "Credentials accepted."),
                { Unreachable: true } => (ConnectionHealth.Unreachable, $"{check.Problem} {check.Fix}"),
                _ => (ConnectionHealth.Unauthorized, $"{check.Problem} {check.Fix} Flows are paused until the credentials are updated."),
            };
            if (check.Accepted && check.CredentialsExpireAt is { } expiry)
            {
                connection.CredentialsExpireAt = expiry;
            }

            if (health != connection.Health || detail != connection.HealthDetail)
            {
                SetHealth(db, connection, health, detail, clock.GetUtcNow());
                await db.SaveChangesAsync(ct);
            }

            return Results.Ok(ConnectionView.Of(connection));
        });

        group.MapDelete("/{id:guid}", async (Guid id, TContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == id && c.RemovedAt == null, ct);
            if (connection is null) return Results.NotFound();
            var now = clock.GetUtcNow();
            connection.RemovedAt = now;
            SetHealth(db, connection, ConnectionHealth.Removed, "Removed: its flows are stopped; its history is kept.", now);
            await db.SaveChangesAsync(ct);
            return Results.Ok(ConnectionView.Of(connection));
        });

        return app;
    }

    /// <summary>422 when the marketplace refused the credentials; 503 when it could not answer (nothing is known).</summary>
    private static IResult Refusal(ConnectionCheck check) =>
        Results.Json(new ConnectionRefused(check.Problem!, check.Fix!), statusCode: check.Unreachable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status422UnprocessableEntity);

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
