using Rakuten.Platform.Benchmarks;

// dotnet run -c Release --project tests/Benchmarks -- outbox [--events N] [--writers N] [--batch N] [--rate N] [--seconds N] [--rate-batch N]
// dotnet run -c Release --project tests/Benchmarks -- catalog [--products N] [--variants N] [--items-per-second N]
// dotnet run -c Release --project tests/Benchmarks -- onboarding [--items N] [--skus N] [--shopify-products N] [--items-per-second N]
// dotnet run -c Release --project tests/Benchmarks -- stock [--skus N] [--rate N] [--warm-up N] [--seconds N] [--burst N] [--fr-files-per-hour N]
// dotnet run -c Release --project tests/Benchmarks -- orders [--orders N] [--warm-up N] [--settle N] [--rate N] [--seconds N]
// dotnet run -c Release --project tests/Benchmarks -- order-history [--orders N] [--days N]
// dotnet run -c Release --project tests/Benchmarks -- grpc [--callers N] [--seconds N] [--watchers N] [--changes N]
// dotnet run -c Release --project tests/Benchmarks -- rate-budget [--replicas N] [--seconds N] [--rate N]
return args.FirstOrDefault() switch
{
    "outbox" => await OutboxBenchmark.RunAsync(args[1..]),
    "catalog" => await CatalogBenchmark.RunAsync(args[1..]),
    "onboarding" => await OnboardingBenchmark.RunAsync(args[1..]),
    "stock" => await StockBenchmark.RunAsync(args[1..]),
    "orders" => await OrdersBenchmark.RunAsync(args[1..]),
    "order-history" => await OrderHistoryBenchmark.RunAsync(args[1..]),
    "grpc" => await GrpcBenchmark.RunAsync(args[1..]),
    "rate-budget" => await RateBudgetBenchmark.RunAsync(args[1..]),
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
        usage: dotnet run -c Release --project tests/Benchmarks -- catalog [options]
          --products N  products in the Shopify Sandbox (default 500)
          --variants N  variants per product (default 20; 500 x 20 = 10,000)
          --items-per-second N  the RMS Items API rate the Sandbox enforces and the platform keeps to (default 5)
        usage: dotnet run -c Release --project tests/Benchmarks -- onboarding [options]
          --items N     items the RMS shop already sells (default 10000)
          --skus N      SKUs per item (default 3; 10,000 x 3 = 30,000)
          --shopify-products N  of them also in Shopify, same SKUs (default 1000)
          --items-per-second N  the RMS Items API rate the Sandbox enforces and the platform keeps to (default 5)
        usage: dotnet run -c Release --project tests/Benchmarks -- stock [options]
          --skus N      SKUs published to RMS and Rakuten France (default 200)
          --rate N      stock changes per second in the steady phase (default 100)
          --warm-up N   seconds of steady load first, not measured (default 10)
          --seconds N   length of the measured steady phase (default 30)
          --burst N     changes in the throughput phase (default 20000)
          --fr-files-per-hour N  the Rakuten France file quota, in the Sandbox and the platform (default 360; Rakuten's is 10)
          RABBITMQ_MANAGEMENT_URL (as start.sh prints it) adds the broker's queue depths to the backlog lines
        usage: dotnet run -c Release --project tests/Benchmarks -- orders [options]
          --orders N    orders waiting in RMS for the limits-off phase (default 5000; 0 skips it)
          --warm-up N   orders put through first, not measured (default 4000)
          --settle N    seconds of pause after the warm-up, for the JIT's background recompilation (default 15)
          --rate N      orders placed per second in the default-polling phase (default 2)
          --seconds N   length of the default-polling phase (default 120; 0 skips it)
        usage: dotnet run -c Release --project tests/Benchmarks -- order-history [options]
          --orders N    orders in the RMS shop's history, every status (default 20000)
          --days N      the period they span, and the backfill's horizon (default 90)
        usage: dotnet run -c Release --project tests/Benchmarks -- grpc [options]
          --callers N   concurrent GetOrder callers (default 64)
          --seconds N   length of the GetOrder phase (default 20)
          --watchers N  concurrent WatchAvailability streams (default 500)
          --changes N   stock changes committed while they watch (default 20)
        usage: dotnet run -c Release --project tests/Benchmarks -- rate-budget [options]
          --replicas N  processes sharing one connection's budget (default 2)
          --seconds N   length of each contended phase (default 10)
          --rate N      calls per second the API allows (default 5)
        RabbitMQ and PostgreSQL: started (or found running) through deploy/local/start.sh.
        """);
    return 2;
}
