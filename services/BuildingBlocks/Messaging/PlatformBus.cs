using System.Reflection;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.Contracts;

namespace Rakuten.Platform.BuildingBlocks.Messaging;

/// <summary>What the services of this process contribute to the one bus: their consumers and the assemblies
/// holding their message contracts. Filled by <c>AddXxxService()</c>, read once by <see cref="PlatformBus.AddPlatformBus"/>.</summary>
public sealed class PlatformBusRegistry
{
    internal List<Action<IBusRegistrationConfigurator>> Consumers { get; } = [];

    internal HashSet<Assembly> ContractAssemblies { get; } = [typeof(Channel).Assembly];

    internal bool Built { get; set; }

    /// <summary>The queue of each consumer registered in this process (their depth is this process's to report).</summary>
    internal HashSet<string> Queues { get; } = [];
}

public static class PlatformBus
{
    /// <summary>Registers a consumer on its own queue, named <c>{service}-{consumer}</c> in kebab case
    /// (e.g. <c>inventory-stock-level-reported</c>), so that services composed in one process keep separate queues.</summary>
    public static WebApplicationBuilder AddPlatformConsumer<TConsumer>(this WebApplicationBuilder builder, string service)
        where TConsumer : class, IConsumer =>
        builder.AddConsumerOnItsQueue<TConsumer>(service, null);

    /// <summary>Registers a <c>IConsumer&lt;Batch&lt;T&gt;&gt;</c> like <see cref="AddPlatformConsumer{TConsumer}"/>: up to
    /// <paramref name="messageLimit"/> messages, collected for at most <paramref name="timeLimit"/> after the first, consumed
    /// together — one transaction for many messages where a message at a time costs more than its work.</summary>
    public static WebApplicationBuilder AddPlatformBatchConsumer<TConsumer>(this WebApplicationBuilder builder, string service, int messageLimit, TimeSpan timeLimit,
        int concurrencyLimit = 1)
        where TConsumer : class, IConsumer =>
        builder.AddConsumerOnItsQueue<TConsumer>(service, c => c.Options<BatchOptions>(o => o
            .SetMessageLimit(messageLimit).SetTimeLimit(timeLimit).SetConcurrencyLimit(concurrencyLimit)));

    private static WebApplicationBuilder AddConsumerOnItsQueue<TConsumer>(this WebApplicationBuilder builder, string service, Action<IConsumerConfigurator<TConsumer>>? configure)
        where TConsumer : class, IConsumer
    {
        var registry = builder.Registry();
        var queue = $"{service}-{KebabCaseEndpointNameFormatter.Instance.Consumer<TConsumer>()}";
        registry.Queues.Add(queue);
        // Tests and benchmarks start throw-away services: their queues go away with them instead of
        // collecting (durably, on disk) every message published after they stopped.
        var temporary = builder.Configuration.GetValue("Platform:Messaging:TemporaryQueues", false);
        registry.Consumers.Add(x => x.AddConsumer(configure).Endpoint(e =>
        {
            e.Name = queue;
            e.Temporary = temporary;
        }));
        return builder;
    }

    /// <summary>Adds an assembly whose <c>[MessageUrn]</c> records may be written to the outbox.</summary>
    public static WebApplicationBuilder AddMessageContracts(this WebApplicationBuilder builder, Assembly assembly)
    {
        builder.Registry().ContractAssemblies.Add(assembly);
        return builder;
    }

    /// <summary>Builds the bus from every consumer registered so far: RabbitMQ in distributed mode, the
    /// in-memory transport in embedded mode. Call it after the services' <c>AddXxxService()</c>.</summary>
    public static WebApplicationBuilder AddPlatformBus(this WebApplicationBuilder builder)
    {
        var registry = builder.Registry();
        if (registry.Built)
        {
            throw new InvalidOperationException("AddPlatformBus() was already called for this process.");
        }

        registry.Built = true;
        var options = builder.GetPlatformOptions();
        var retry = RetrySettings.From(builder.Configuration);
        builder.Services.AddSingleton(new ContractTypes(registry.ContractAssemblies));
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            // MassTransit otherwise reports usage to its vendor over the internet: nothing of a merchant's leaves here uninvited.
            x.DisableUsageTelemetry();
            foreach (var add in registry.Consumers)
            {
                add(x);
            }

            // Nothing is acknowledged while a consumer fails: the message stays with this consumer through
            // the immediate retries, then the spaced-out ones; only then does it move to {queue}_error.
            // The broker-side delayed redelivery of MassTransit needs RabbitMQ's delayed-message plugin,
            // which Debian does not package; if the process dies meanwhile, RabbitMQ redelivers the unacked message.
            // One policy, the immediate attempts first: MassTransit applies only the last UseMessageRetry of an endpoint,
            // so the spaced retries once configured as a second, outer policy were silently dropped (4 attempts in about
            // a second, then _error: FailureTests counts them now).
            var intervals = Enumerable.Repeat(TimeSpan.Zero, retry.Immediate).Concat(retry.Spaced).ToArray();
            x.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseMessageRetry(r => r.Intervals(intervals)));

            if (options.Mode == PlatformMode.Distributed)
            {
                var broker = RabbitMqAddress.Parse(options.RabbitMqConnectionString!);
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(broker.Host, broker.Port, broker.VirtualHost, h =>
                    {
                        h.Username(broker.Username);
                        h.Password(broker.Password);
                    });
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
        });

        if (options.Mode == PlatformMode.Distributed && builder.Configuration["Platform:Messaging:ManagementUrl"] is { Length: > 0 } management)
        {
            builder.Services.AddSingleton(new QueueProbe.Settings(new Uri(management), RabbitMqAddress.Parse(options.RabbitMqConnectionString!), registry.Queues));
            builder.AddStateProbe<QueueProbe>();
        }

        // Readiness says when the broker is unreachable; start-up does not block on it.
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = false;
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        return builder;
    }

    private static PlatformBusRegistry Registry(this WebApplicationBuilder builder) =>
        builder.Services.FindInstance<PlatformBusRegistry>()
        ?? throw new InvalidOperationException("Call builder.AddServiceDefaults() before registering consumers.");

    private sealed record RetrySettings(int Immediate, TimeSpan[] Spaced)
    {
        public static RetrySettings From(Microsoft.Extensions.Configuration.IConfiguration configuration)
        {
            var immediate = int.TryParse(configuration["Platform:Messaging:ImmediateRetries"], out var i) ? i : 3;
            var spaced = configuration["Platform:Messaging:SpacedRetries"] is { Length: > 0 } text
                ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(TimeSpan.Parse).ToArray()
                : [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30)];
            return new RetrySettings(immediate, spaced);
        }
    }
}
