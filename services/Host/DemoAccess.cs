using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Rakuten.Platform.BuildingBlocks.Hosting;
using Rakuten.Platform.BuildingBlocks.Security;
using Rakuten.Platform.Channels.Common;

namespace Rakuten.Platform.Host;

/// <summary>How the embedded demo is reached, and only the embedded demo (<see cref="IdentitySettings.Development"/>: no
/// identity provider configured, never in distributed mode): at start it writes an admin token of the demo tenant to
/// <c>{DataDirectory}/demo-token</c> and prints it, and it lets the connections reach the Sandbox this process serves.</summary>
public sealed class DemoAccess(
    IServer server, IHostApplicationLifetime lifetime, IServiceProvider services, IdentitySettings identity, PlatformOptions options,
    IConfiguration configuration, TimeProvider clock, ILogger<DemoAccess> logger) : BackgroundService
{
    public static readonly string[] DemoRoles = [PlatformRoles.Admin, PlatformRoles.Operator, PlatformRoles.Viewer];

    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Guid Tenant => configuration.GetValue("Demo:TenantId", new Guid("00000000-0000-4000-8000-000000000001"));

    /// <summary>Where this process listens (loopback form), once it does.</summary>
    public Task<string> AddressAsync(CancellationToken ct) => _address.Task.WaitAsync(ct);

    /// <summary>A token of the demo's own key; null when an identity provider is configured (then tokens come from it).</summary>
    public string? Token(Guid? tenant, IEnumerable<string> roles, string subject, TimeSpan lifetime) =>
        identity.Development ? services.GetRequiredService<DevelopmentIdentity>().Issue(identity, subject, tenant, roles, lifetime, clock.GetUtcNow()) : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        var addresses = server.Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => a.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1").Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1")).ToList();
        if (options.Mode == PlatformMode.Embedded)
        {
            // The Sandbox runs in this process: its marketplaces live at this process's own address.
            var policy = services.GetService<OutboundPolicy>();
            addresses.ForEach(a => policy?.Allow(a));
        }

        _address.TrySetResult(addresses.First());
        if (!identity.Development)
        {
            return;
        }

        var lifetimeHours = configuration.GetValue("Demo:TokenHours", 24);
        var token = Token(Tenant, DemoRoles, "demo-admin", TimeSpan.FromHours(lifetimeHours))!;
        var file = Path.Combine(options.DataDirectory, "demo-token");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.Delete(file);
        await using (var stream = OwnerOnlyFile.CreateNew(file))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(token);
        }

        logger.LogInformation("Embedded demo: an admin token of tenant {Tenant}, valid {Hours} h, is in {File} (demo only: distributed mode never issues one)",
            Tenant, lifetimeHours, file);
        // Printed, not logged: the demo's way in, on the console of the person who started it (and never sent to a log collector).
        Console.WriteLine($"""

            Rakuten.Platform (embedded demo) is listening at {addresses.First()}
            Every API call needs an identity. The demo tenant's admin token (valid {lifetimeHours} h) is in {file}:
              TOKEN=$(cat {file})
              curl -H "Authorization: Bearer $TOKEN" {addresses.First()}/orders
            Other roles or tenants: dotnet run --project services/Host -- token --role viewer --tenant <guid>

            """);
    }

    /// <summary><c>token [--tenant GUID] [--role viewer|operator|admin|ops]… [--subject NAME] [--hours N]</c>: prints a token of the
    /// embedded demo's key (the same data folder as the Host run from the same directory). Exit code 2 when the configuration
    /// has an identity provider, or in distributed mode: there, tokens come from the provider.</summary>
    public static int PrintToken(string[] args)
    {
        var builder = WebApplication.CreateBuilder([]);
        var options = PlatformOptions.From(builder.Configuration, "rakuten-platform-host");
        IdentitySettings settings;
        try
        {
            settings = IdentitySettings.From(builder.Configuration, options);
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine($"No token: {ex.Message}");
            return 2;
        }

        if (!settings.Development)
        {
            Console.Error.WriteLine("No token: an identity provider is configured (Platform:Identity:Issuer); ask it for a token.");
            return 2;
        }

        var tenant = builder.Configuration.GetValue("Demo:TenantId", new Guid("00000000-0000-4000-8000-000000000001"));
        var roles = new List<string>();
        var subject = "demo-user";
        var hours = 24;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--tenant" when Guid.TryParse(value, out var t):
                    tenant = t;
                    i++;
                    break;
                case "--role" when value is not null && (PlatformRoles.TenantRoles.Contains(value) || value == PlatformRoles.Ops):
                    roles.Add(value);
                    i++;
                    break;
                case "--subject" when !string.IsNullOrWhiteSpace(value):
                    subject = value;
                    i++;
                    break;
                case "--hours" when int.TryParse(value, out var h) && h is > 0 and <= 24 * 30:
                    hours = h;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"token: '{args[i]}' {(value is null ? "" : $"'{value}' ")}is not understood. Usage: token [--tenant GUID] " +
                                            "[--role viewer|operator|admin|ops]… [--subject NAME] [--hours 1-720]");
                    return 2;
            }
        }

        var identity = DevelopmentIdentity.LoadOrCreate(options.DataDirectory);
        var opsOnly = roles.Count > 0 && roles.All(r => r == PlatformRoles.Ops);
        Console.WriteLine(identity.Issue(settings, subject, opsOnly ? null : tenant, roles.Count > 0 ? roles.Distinct() : DemoRoles, TimeSpan.FromHours(hours),
            DateTimeOffset.UtcNow));
        return 0;
    }
}
