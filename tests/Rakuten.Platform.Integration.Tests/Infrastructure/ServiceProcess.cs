using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Infrastructure;

/// <summary>The test service (tests/Rakuten.Platform.TestService) as a real child process: started with its
/// own configuration, read through HTTP and its stdout, killed with SIGKILL when a test says so.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process, Uri address)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient Http { get; }

    /// <summary>The process's gRPC port (HTTP/2), when it serves one (the Host does).</summary>
    public string GrpcUrl { get; private init; } = "";

    /// <summary>Calls from now on carry the embedded Host's demo token, read where the Host writes it (as the README says).</summary>
    public async Task UseDemoTokenAsync(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, "demo-token");
        await WaitUntilAsync(() => Task.FromResult(File.Exists(file) && new FileInfo(file).Length > 0), TimeSpan.FromSeconds(60), "the demo token");
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(file)).Trim());
    }

    public IReadOnlyCollection<string> Output => _output.ToArray();

    /// <summary>Starts <c>tests/Rakuten.Platform.TestService</c>, or the project at <paramref name="project"/>
    /// (relative to the repository root, e.g. <c>services/Host</c>), from its build output.</summary>
    public static async Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string> settings, string project = "tests/Rakuten.Platform.TestService")
    {
        var configuration = typeof(ServiceProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var folder = Path.Combine(LocalInfrastructure.RepositoryRoot, project);
        var assembly = Path.GetFileNameWithoutExtension(Directory.GetFiles(folder, "*.csproj").Single());
        var dll = Path.Combine(folder, "bin", configuration, "net10.0", assembly + ".dll");
        var port = ChannelHosts.FreePort();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["Platform__LogFormat"] = "simple";
        // The Host's gRPC port (5081 by default) on a free port too, so that a Host running beside the tests is no conflict.
        var grpc = $"http://127.0.0.1:{ChannelHosts.FreePort()}";
        start.Environment["Platform__Grpc__Url"] = grpc;
        start.Environment["Platform__Messaging__TemporaryQueues"] = "true";
        start.Environment["Platform__Messaging__SpacedRetries"] = "00:00:00.200,00:00:01";
        // A distributed service accepts only tokens of a configured identity provider: the tests' own.
        var identity = settings.GetValueOrDefault("Platform:Mode") == "Distributed"
            ? TestIdentity.Settings().Where(s => !settings.ContainsKey(s.Key)).ToDictionary(s => s.Key, s => s.Value ?? "")
            : [];
        foreach (var (key, value) in settings.Concat(identity))
        {
            start.Environment[key.Replace(":", "__")] = value;
        }

        var service = new ServiceProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}")) { GrpcUrl = grpc };
        await service.WaitUntilAsync(async () =>
        {
            using var response = await service.Http.GetAsync("/health/live");
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), "the service to answer /health/live");
        return service;
    }

    /// <summary>Runs <paramref name="project"/>'s build output once with <paramref name="args"/> (a command such as the Host's
    /// <c>token</c>) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunOnceAsync(string project, IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var configuration = typeof(ServiceProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var folder = Path.Combine(LocalInfrastructure.RepositoryRoot, project);
        var assembly = Path.GetFileNameWithoutExtension(Directory.GetFiles(folder, "*.csproj").Single());
        var dll = Path.Combine(folder, "bin", configuration, "net10.0", assembly + ".dll");
        var start = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__")] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output).Trim(), (await error).Trim());
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod: the host shuts down in order (and flushes what it holds); waits for the exit.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>SIGKILL: no shutdown hook, no flush — as a crashed or OOM-killed pod.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited ({_process.ExitCode}) while waiting for {what}:\n{string.Join('\n', Output.TakeLast(40))}");
            }

            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Timed out after {timeout} waiting for {what} ({last?.Message}):\n{string.Join('\n', Output.TakeLast(40))}");
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        Http.Dispose();
        _process.Dispose();
        await Task.CompletedTask;
    }
}
