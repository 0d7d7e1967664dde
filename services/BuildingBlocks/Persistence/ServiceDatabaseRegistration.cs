using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Outbox;

namespace Rakuten.Platform.BuildingBlocks.Persistence;

public static class ServiceDatabaseRegistration
{
    /// <summary>Gives a service its own database (<see cref="ServiceDatabase"/>): the EF context, the schema
    /// scripts run at start-up, the outbox relay (unless <paramref name="relay"/> is false: a store
    /// that publishes nothing) and a readiness check.</summary>
    public static WebApplicationBuilder AddServiceDatabase<TContext>(this WebApplicationBuilder builder, string service, bool relay = true)
        where TContext : PlatformDbContext
    {
        var options = builder.GetPlatformOptions();
        var database = ServiceDatabase.Resolve(options, builder.Configuration, service);
        builder.Services.AddSingleton(new ServiceDatabase<TContext>(database));
        builder.Services.AddSingleton<OutboxSignal<TContext>>();
        builder.Services.AddSingleton<OutboxCommitInterceptor<TContext>>();
        builder.Services.AddDbContextPool<TContext>((sp, o) =>
        {
            database.Configure(o);
            o.AddInterceptors(sp.GetRequiredService<OutboxCommitInterceptor<TContext>>());
        });

        builder.Services.AddSingleton(_ => OutboxOptions.From(builder.Configuration));
        builder.Services.AddStoredEvents(typeof(TContext).Assembly);

        // Registration order is start order: the schema exists before the relay or any consumer touches it.
        builder.Services.AddHostedService<SchemaInitializer<TContext>>();
        if (relay)
        {
            builder.Services.AddHostedService<OutboxRelay<TContext>>();
            builder.AddStateProbe<OutboxProbe<TContext>>();
        }

        // The change feed of the gRPC watches: it reads the table only while someone watches.
        builder.Services.AddSingleton(_ => Changes.ChangeFeedOptions.From(builder.Configuration));
        builder.Services.AddSingleton<Changes.ChangeFeed<TContext>>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Changes.ChangeFeed<TContext>>());

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"database-{service}",
            sp => new DatabaseHealthCheck<TContext>(sp.GetRequiredService<IServiceScopeFactory>(), database,
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DatabaseHealthCheck<TContext>>>()),
            HealthStatus.Unhealthy,
            [ServiceDefaults.ReadyTag],
            TimeSpan.FromSeconds(5)));
        return builder;
    }

    /// <summary>Registers the <c>[StoredEvent]</c> records of <paramref name="assembly"/> with the one
    /// <see cref="EventTypeMap"/> of the process.</summary>
    public static IServiceCollection AddStoredEvents(this IServiceCollection services, Assembly assembly)
    {
        var map = services.FindInstance<EventTypeMap>();
        if (map is null)
        {
            map = new EventTypeMap();
            services.AddSingleton(map);
        }

        map.Register(assembly);
        return services;
    }
}

internal sealed class DatabaseHealthCheck<TContext>(IServiceScopeFactory scopes, ServiceDatabase database, Microsoft.Extensions.Logging.ILogger<DatabaseHealthCheck<TContext>> logger) : IHealthCheck
    where TContext : PlatformDbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
            return HealthCheckResult.Healthy($"{database.Dialect} database of {database.Service} answers");
        }
        catch (Exception ex)
        {
            // The probe is open to anyone: the driver's reason (a host, an address, a login) goes to the log, not the answer.
            logger.LogWarning("{Dialect} database of {Service} unreachable: {Reason}", database.Dialect, database.Service, ex.Message);
            return HealthCheckResult.Unhealthy($"{database.Dialect} database of {database.Service} unreachable (the service's log says why)");
        }
    }
}
