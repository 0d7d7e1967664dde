using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.Api.V1;
using Rakuten.Platform.BuildingBlocks.Messaging;
using Rakuten.Platform.Contracts.Orders;
using Rakuten.Platform.Inventory;
using Rakuten.Platform.Inventory.AllocatingStock;
using Rakuten.Platform.Orders;
using Rakuten.Platform.Orders.ImportingOrders;
using Rakuten.Platform.TestService.Testing;
using V1 = Rakuten.Platform.Api.V1;

namespace Rakuten.Platform.Benchmarks;

/// <summary>The gRPC API under load (issue 18): GetOrder from 64 concurrent callers, BatchGetAvailability of 1,000 SKUs,
/// how soon 500 WatchAvailability streams see a committed stock change, and the memory an idle watch stream costs. Server
/// and client share this machine's cores (one process), so the numbers include the client's own work.</summary>
public static class GrpcBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var callers = Option(args, "--callers", 64);
        var seconds = Option(args, "--seconds", 20);
        var watchers = Option(args, "--watchers", 500);
        var changes = Option(args, "--changes", 20);
        await using var hosts = await ChannelHosts.StartAsync(withCatalog: true, new Dictionary<string, string?>
        {
            ["Platform:RateLimits:PerCallerPerSecond"] = "1000000",
            ["Platform:RateLimits:PerTenantPerSecond"] = "1000000",
            ["Platform:Changes:PollInterval"] = "00:00:00.050",
        }, LogLevel.Warning);
        var orderNames = await SeedOrdersAsync(hosts, 1000);
        var skus = await SeedStockAsync(hosts, 1000);
        Console.WriteLine($"seeded {orderNames.Count} orders and {skus.Count} SKUs for tenant {hosts.Tenant}");

        using var channel = Channel(hosts);
        var orders = new V1.Orders.OrdersClient(channel);
        // Warm-up: the JIT, the connection pools and the prepared statements.
        await LoadAsync(callers, TimeSpan.FromSeconds(5), i => orders.GetOrderAsync(new GetOrderRequest { Name = orderNames[i % orderNames.Count] }).ResponseAsync);
        var (calls, latencies) = await LoadAsync(callers, TimeSpan.FromSeconds(seconds),
            i => orders.GetOrderAsync(new GetOrderRequest { Name = orderNames[i % orderNames.Count] }).ResponseAsync);
        Console.WriteLine($"GetOrder, {callers} concurrent callers, {seconds} s: {calls / (double)seconds:N0} calls/s, " +
                          $"p50 {Stats.Percentile(latencies, 50):N1} ms, p99 {Stats.Percentile(latencies, 99):N1} ms (target >= 5,000 calls/s, p99 <= 20 ms)");

        {
            var direct = Stopwatch.StartNew();
            for (var i = 0; i < 2000; i++)
            {
                await using var scope = hosts.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
                var id = Guid.Parse(orderNames[i % orderNames.Count]["orders/".Length..]);
                var record = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.OrderId == id && o.TenantId == hosts.Tenant);
                await db.Shipments.AsNoTracking().Where(s => s.OrderId == id).ToListAsync();
                await db.Cancellations.AsNoTracking().FirstOrDefaultAsync(c => c.OrderId == id);
            }

            Console.WriteLine($"the three queries of GetOrder without gRPC, one at a time: {direct.Elapsed.TotalMilliseconds / 2000:N2} ms a call");
        }

        var inventory = new V1.Inventory.InventoryClient(channel);
        var batch = new BatchGetAvailabilityRequest { Names = { skus.Select(s => $"skus/{s}") } };
        for (var i = 0; i < 20; i++) await inventory.BatchGetAvailabilityAsync(batch);
        var batchLatencies = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var answer = await inventory.BatchGetAvailabilityAsync(batch);
            batchLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (answer.Availabilities.Count != skus.Count) throw new InvalidOperationException("a batch came back short");
        }

        batchLatencies.Sort();
        Console.WriteLine($"BatchGetAvailability of {skus.Count} SKUs, 200 calls one at a time: p50 {Stats.Percentile(batchLatencies, 50):N1} ms, " +
                          $"p99 {Stats.Percentile(batchLatencies, 99):N1} ms (target p99 <= 50 ms)");

        await WatchAsync(hosts, channel, skus[0], watchers, changes);
        return 0;
    }

    /// <summary>Opens the watches, measures their memory while idle, then commits stock changes and measures when each watch sees each.</summary>
    private static async Task WatchAsync(ChannelHosts hosts, GrpcChannel channel, string sku, int watchers, int changes)
    {
        var inventory = new V1.Inventory.InventoryClient(channel);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var streams = new List<AsyncServerStreamingCall<WatchAvailabilityResponse>>();
        for (var i = 0; i < watchers; i++)
        {
            var call = inventory.WatchAvailability(new WatchAvailabilityRequest { Names = { $"skus/{sku}" } });
            await call.ResponseStream.MoveNext(CancellationToken.None); // the first message: the watch is registered
            streams.Add(call);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"{watchers} idle WatchAvailability streams: {(after - before) / (double)watchers / 1024:N1} KiB managed memory each " +
                          "(server and client side together: both run in this process)");

        var commits = new Dictionary<int, long>();
        var seen = new List<double>();
        var readers = streams.Select(call => Task.Run(async () =>
        {
            var mine = new List<(int Level, long At)>();
            while (mine.Count < changes && await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                mine.Add((call.ResponseStream.Current.Availability.Locations.Single().Available, Stopwatch.GetTimestamp()));
            }

            return mine;
        })).ToList();

        var source = hosts.Services.GetRequiredService<IServiceScopeFactory>();
        for (var level = 1; level <= changes; level++)
        {
            await using var scope = source.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<InventoryDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var row = await db.LocationStocks.SingleAsync(l => l.TenantId == hosts.Tenant && l.Sku == sku);
            row.Available = level;
            row.Version++;
            row.UpdatedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
            await ChannelStock.RecomputeAsync(db, hosts.Tenant, [sku], DateTimeOffset.UtcNow, CancellationToken.None);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            commits[level] = Stopwatch.GetTimestamp();
            await Task.Delay(500);
        }

        foreach (var mine in await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(2)))
        {
            seen.AddRange(mine.Select(m => Stopwatch.GetElapsedTime(commits[m.Level], m.At).TotalMilliseconds));
        }

        seen.Sort();
        Console.WriteLine($"A stock change seen by {watchers} WatchAvailability streams ({seen.Count:N0} deliveries of {changes} changes): " +
                          $"p50 {Stats.Percentile(seen, 50):N0} ms, p99 {Stats.Percentile(seen, 99):N0} ms, max {seen[^1]:N0} ms after its commit (target p99 <= 500 ms)");
        foreach (var call in streams) call.Dispose();
    }

    private static async Task<(long Calls, List<double> Latencies)> LoadAsync(int callers, TimeSpan length, Func<int, Task> call)
    {
        var until = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var all = await Task.WhenAll(Enumerable.Range(0, callers).Select(async c =>
        {
            var mine = new List<double>();
            for (var i = c; Stopwatch.GetTimestamp() < until; i += callers)
            {
                var started = Stopwatch.GetTimestamp();
                await call(i);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return mine;
        }));
        var latencies = all.SelectMany(l => l).Order().ToList();
        return (latencies.Count, latencies);
    }

    private static GrpcChannel Channel(ChannelHosts hosts)
    {
        var token = TestIdentity.Token(hosts.Tenant, TestIdentity.AllTenantRoles);
        var credentials = CallCredentials.FromInterceptor((_, headers) =>
        {
            headers.Add("authorization", $"Bearer {token}");
            return Task.CompletedTask;
        });
        return GrpcChannel.ForAddress(hosts.GrpcUrl, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials), UnsafeUseInsecureChannelCallCredentials = true,
            // More than 100 streams (Kestrel's per-connection limit) at once: the 500 watches spread over several connections.
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        });
    }

    private static async Task<List<string>> SeedOrdersAsync(ChannelHosts hosts, int count)
    {
        await using var scope = hosts.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
        var now = DateTimeOffset.UtcNow;
        var connection = Guid.NewGuid();
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var order = new ChannelOrder(new Buyer("楽天 花子", "hanako@example.jp", null), null, null,
                [new Contracts.Orders.OrderLine("1", $"SKU-{i % 50}", "v_mug", "v_mug-m", $"SKU-{i % 50}", "マグ", 2, new Contracts.Money(1500, "JPY"), [], null, null, [], Managed: true)],
                [], new Contracts.Money(500, "JPY"), [], new Contracts.Money(0, "JPY"), new Contracts.Money(0, "JPY"), new Contracts.Money(3500, "JPY"),
                "card", null, false, false, null, now, AmountsDetermined: true);
            var record = new OrderRecord
            {
                OrderId = Guid.CreateVersion7(), TenantId = hosts.Tenant, ConnectionId = connection, Channel = "RakutenJp", ChannelOrderId = $"123456-20261204-{i:D10}",
                ChannelStatus = "300", Status = UnifiedOrderStatus.Accepted, Order = JsonSerializer.Serialize(order, PlatformJson.Options), ReceivedAt = now, UpdatedAt = now,
            };
            db.Orders.Add(record);
            names.Add($"orders/{record.OrderId}");
        }

        await db.SaveChangesAsync();
        return names;
    }

    private static async Task<List<string>> SeedStockAsync(ChannelHosts hosts, int count)
    {
        await using var scope = hosts.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InventoryDbContext>();
        var connection = Guid.NewGuid();
        db.ChannelRules.Add(new ChannelRule { ConnectionId = connection, TenantId = hosts.Tenant, Channel = "RakutenJp", Buffer = 1 });
        var skus = Enumerable.Range(0, count).Select(i => $"SKU-{i:D5}").ToList();
        foreach (var sku in skus)
        {
            db.LocationStocks.Add(new LocationStock
            {
                TenantId = hosts.Tenant, SourceConnectionId = Guid.NewGuid(), LocationId = "gid://shopify/Location/1", Sku = sku, Available = 10, Version = 1, UpdatedAt = DateTimeOffset.UtcNow,
            });
            db.ChannelQuantities.Add(new Rakuten.Platform.Inventory.AllocatingStock.ChannelQuantity { ConnectionId = connection, Sku = sku, Quantity = 9, Version = 1 });
        }

        await db.SaveChangesAsync();
        return skus;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
