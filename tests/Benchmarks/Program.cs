using Rakuten.Platform.Benchmarks;

// dotnet run -c Release --project tests/Benchmarks -- outbox [--events N] [--writers N] [--batch N] [--rate N] [--seconds N] [--rate-batch N]
return args.FirstOrDefault() switch
{
    "outbox" => await OutboxBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project tests/Benchmarks -- outbox [options]
          --events N    events for the throughput phase (default 200000)
          --writers N   concurrent committing writers (default 8)
          --batch N     events per transaction (default 50)
          --rate N      events/s for the latency phase (default 2000)
          --seconds N   length of the latency phase (default 15)
          --rate-batch N  events per transaction in the latency phase (default 1)
        RabbitMQ and PostgreSQL: started (or found running) through deploy/local/start.sh.
        """);
    return 2;
}
