using System.Net;
using Microsoft.EntityFrameworkCore;
using Rakuten.Platform.Channels.Common;
using Rakuten.Platform.Channels.RakutenJp.Rms;
using Rakuten.Platform.Contracts.Connections;

namespace Rakuten.Platform.Channels.RakutenJp.Connecting;

/// <summary>Reads each RMS connection's license expiry (daily by default, <c>Platform:RakutenJp:ExpiryCheckInterval</c>):
/// warns at 14 and 7 days and marks the connection Expired on the day (RMS keys last 90 days); a 401 marks it
/// Unauthorized, which pauses its flows until the credentials are updated.</summary>
public sealed class LicenseExpiryWatch(
    IServiceScopeFactory scopes, RmsLicenseClient license, TimeProvider clock, IConfiguration configuration, ILogger<LicenseExpiryWatch> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Platform:RakutenJp:ExpiryCheckInterval", TimeSpan.FromDays(1));
        // Not at the very start: a daily check gains nothing from racing the rest of start-up.
        await Task.Delay(configuration.GetValue("Platform:RakutenJp:ExpiryCheckDelay", TimeSpan.FromSeconds(30)), clock, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAllAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "License expiry check failed; next try in {Interval}", interval);
            }

            await Task.Delay(interval, clock, stoppingToken);
        }
    }

    public async Task CheckAllAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RakutenJpDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<ConnectionSecrets>();
        var connections = await db.Connections.Where(c => c.RemovedAt == null).ToListAsync(ct);
        foreach (var connection in connections)
        {
            var credentials = secrets.Unprotect<RmsCredentials>(connection.ProtectedCredentials);
            var expiry = await license.GetExpiryAsync(connection.Id, connection.BaseUrl, credentials, ct);
            var now = clock.GetUtcNow();
            if (expiry.Status == HttpStatusCode.Unauthorized)
            {
                if (connection.Health != ConnectionHealth.Unauthorized)
                {
                    Change(db, connection, ConnectionHealth.Unauthorized,
                        "RMS refused the credentials (HTTP 401): flows are paused until the connection gets a valid license key.", now);
                }

                continue;
            }

            if (expiry.ExpiresAt is null)
            {
                logger.LogWarning("License expiry of connection {Connection} not readable now (HTTP {Status})", connection.Id, (int)expiry.Status);
                continue;
            }

            connection.CredentialsExpireAt = expiry.ExpiresAt;
            if (ExpiryWarnings.Decide(expiry.ExpiresAt.Value, now, connection.LastWarningDays) is { } warning)
            {
                connection.LastWarningDays = warning.WarningDays;
                Change(db, connection, warning.Health, warning.Detail, now);
            }
        }

        await db.SaveChangesAsync(ct);
    }

    private void Change(RakutenJpDbContext db, ConnectionRecord connection, ConnectionHealth health, string detail, DateTimeOffset now)
    {
        ConnectionEndpoints.SetHealth(db, connection, health, detail, now);
        logger.LogWarning("RMS connection {Connection} ({Shop}) is now {Health}: {Detail}", connection.Id, connection.ExternalId, health, detail);
    }
}
