using System.Diagnostics;

namespace Rakuten.Platform.Benchmarks;

internal static class Infrastructure
{
    /// <summary>The environment's connection strings, or those printed by deploy/local/start.sh.</summary>
    public static async Task<(string Postgres, string RabbitMq)> ConnectionStringsAsync()
    {
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        var mq = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (pg is not null && mq is not null)
        {
            return (pg, mq);
        }

        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Rakuten.Platform.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        }

        var start = new ProcessStartInfo("bash", [Path.Combine(root, "deploy/local/start.sh")]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var settings = output.Split('\n').Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
        return (settings["ConnectionStrings__Postgres"], settings["ConnectionStrings__RabbitMq"]);
    }
}
