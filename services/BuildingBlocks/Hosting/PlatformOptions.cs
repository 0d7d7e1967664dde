using Microsoft.Extensions.Configuration;

namespace Rakuten.Platform.BuildingBlocks.Hosting;

/// <summary>How the platform runs (DESIGN §5): one process with an in-memory bus and SQLite files, or one
/// process per service over RabbitMQ and PostgreSQL. The same service code runs in both.</summary>
public enum PlatformMode
{
    Embedded,
    Distributed,
}

/// <summary>The <c>Platform</c> configuration section, read once at start-up.</summary>
public sealed record PlatformOptions(
    PlatformMode Mode,
    string ServiceName,
    string DataDirectory,
    string? PostgresConnectionString,
    string? RabbitMqConnectionString,
    string? OtlpEndpoint)
{
    public static PlatformOptions From(IConfiguration configuration, string defaultServiceName)
    {
        var modeText = configuration["Platform:Mode"] ?? nameof(PlatformMode.Embedded);
        if (!Enum.TryParse<PlatformMode>(modeText, ignoreCase: true, out var mode))
        {
            throw new InvalidOperationException(
                $"Platform:Mode is '{modeText}'; expected '{nameof(PlatformMode.Embedded)}' or '{nameof(PlatformMode.Distributed)}'.");
        }

        var options = new PlatformOptions(
            mode,
            configuration["Platform:ServiceName"] ?? defaultServiceName,
            Path.GetFullPath(configuration["Platform:DataDirectory"] ?? "data"),
            configuration.GetConnectionString("Postgres"),
            configuration.GetConnectionString("RabbitMq"),
            configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? configuration["Platform:Otlp:Endpoint"]);

        if (mode == PlatformMode.Distributed)
        {
            if (string.IsNullOrWhiteSpace(options.PostgresConnectionString))
            {
                throw new InvalidOperationException(
                    "Platform:Mode is Distributed but ConnectionStrings:Postgres is not set " +
                    "(deploy/local/start.sh prints the value for the local PostgreSQL).");
            }

            if (string.IsNullOrWhiteSpace(options.RabbitMqConnectionString))
            {
                throw new InvalidOperationException(
                    "Platform:Mode is Distributed but ConnectionStrings:RabbitMq is not set " +
                    "(deploy/local/start.sh prints the value for the local RabbitMQ).");
            }
        }

        return options;
    }
}
