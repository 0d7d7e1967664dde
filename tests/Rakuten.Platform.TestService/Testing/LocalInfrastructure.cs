using System.Diagnostics;

namespace Rakuten.Platform.TestService.Testing;

/// <summary>The real RabbitMQ and PostgreSQL, started by the project's own <c>deploy/local/start.sh</c>
/// (which installs them from Debian packages when missing and leaves running ones alone).</summary>
public sealed record LocalInfrastructure(string Postgres, string RabbitMq, string RabbitManagement)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static LocalInfrastructure? _started;

    public static string RepositoryRoot { get; } = FindRoot();

    public static async Task<LocalInfrastructure> EnsureStartedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _started ??= await StartAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Runs start.sh again: after <see cref="StopPostgresAsync"/> it brings PostgreSQL back.</summary>
    public static Task<LocalInfrastructure> RestartAsync() => StartAsync();

    public static Task StopPostgresAsync() => RunAsync("deploy/local/stop.sh", "postgres");

    private static async Task<LocalInfrastructure> StartAsync()
    {
        var output = await RunAsync("deploy/local/start.sh");
        var settings = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        return new LocalInfrastructure(
            settings["ConnectionStrings__Postgres"],
            settings["ConnectionStrings__RabbitMq"],
            settings["RABBITMQ_MANAGEMENT_URL"]);
    }

    /// <summary>A RabbitMQ virtual host of its own (created through the management API, guest allowed), answered as the
    /// AMQP URI to give the services: queues, exchanges and messages of one test deployment meet nothing of another's,
    /// nor what a developer's own run of the platform left durable on the same broker.</summary>
    public async Task<string> CreateVirtualHostAsync(string name)
    {
        using var management = Management();
        (await management.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        (await management.PutAsync($"api/permissions/{name}/guest",
            System.Net.Http.Json.JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" }))).EnsureSuccessStatusCode();
        return new UriBuilder(RabbitMq) { Path = "/" + name }.Uri.ToString();
    }

    public async Task DeleteVirtualHostAsync(string name)
    {
        using var management = Management();
        using var response = await management.DeleteAsync($"api/vhosts/{name}");
    }

    /// <summary>Drops a run's own databases (and the pools that would keep their connections): left behind, a developer's
    /// server gathered thousands, and its autovacuum launcher, visiting each in turn, took a steady share of a core
    /// from every later test and benchmark.</summary>
    public async Task DropDatabasesAsync(IEnumerable<string> names)
    {
        // Every run has its own databases, so its pools are never used again: their idle connections would count
        // against PostgreSQL's max_connections for five minutes while the next tests open theirs.
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var server = new Npgsql.NpgsqlConnection(Postgres);
        await server.OpenAsync();
        foreach (var name in names)
        {
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", server);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private HttpClient Management() => new()
    {
        BaseAddress = new Uri(RabbitManagement),
        DefaultRequestHeaders = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray())) },
    };

    private static readonly Lazy<Task<string>> GrpcPeer = new(() => RunAsync("deploy/local/grpc-peer.sh"));

    /// <summary>Installs tests/grpc-peer (Node.js and its locked npm packages) once per test run; answers its folder.</summary>
    public static async Task<string> EnsureGrpcPeerAsync()
    {
        await GrpcPeer.Value;
        return Path.Combine(RepositoryRoot, "tests", "grpc-peer");
    }

    private static readonly Lazy<Task<string>> Promtool = new(() => RunAsync("deploy/local/promtool.sh"));

    /// <summary>Installs promtool (Debian's prometheus package, its server not started) once per test run; answers its path.</summary>
    public static async Task<string> EnsurePromtoolAsync() =>
        (await Promtool.Value).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();

    private static async Task<string> RunAsync(string script, params string[] args)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot, script), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}):\n{await stderr}\n{await stdout}");
        }

        return await stdout;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rakuten.Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Rakuten.Platform.sln not found above " + AppContext.BaseDirectory);
    }
}
