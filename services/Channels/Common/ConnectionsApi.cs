using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.Api.V1;
using Rakuten.Platform.BuildingBlocks.Grpc;
using Rakuten.Platform.BuildingBlocks.Security;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Rakuten.Platform.Channels.Common;

/// <summary>The channels whose connections this process keeps (each adapter adds its own when it maps its connections API).</summary>
public sealed class ConnectionDirectory
{
    private readonly Dictionary<Contracts.Channel, Type> _contexts = [];

    public bool Mapped { get; set; }

    public void Add(Contracts.Channel channel, Type context) => _contexts[channel] = context;

    public IReadOnlyDictionary<Contracts.Channel, Type> Contexts => _contexts;
}

public static class ConnectionsGrpc
{
    /// <summary>Maps the gRPC Connections service once per process, however many channel adapters it hosts.</summary>
    public static void MapConnectionsGrpc(this Microsoft.AspNetCore.Routing.IEndpointRouteBuilder app)
    {
        var directory = app.ServiceProvider.GetRequiredService<ConnectionDirectory>();
        if (!directory.Mapped)
        {
            directory.Mapped = true;
            app.MapGrpcService<ConnectionsApi>();
        }
    }
}

/// <summary>rakuten.platform.v1.Connections: the tenant's connections of the channels this process serves (all three in
/// the Host) with their health, credential expiry and whether flows are paused — never a credential.</summary>
[Authorize(Policy = PlatformPolicies.Viewer)]
public sealed class ConnectionsApi(ConnectionDirectory directory, IServiceProvider services) : Api.V1.Connections.ConnectionsBase
{
    public override async Task<ListConnectionsResponse> ListConnections(ListConnectionsRequest request, ServerCallContext context)
    {
        var size = GrpcCalls.PageSize(request.PageSize, 50, 500);
        GrpcCalls.Known(request.Channel, "channel", "a channel");
        var channels = Served(request.Channel);
        var caller = await ReaderAsync(channels[0], context);
        var filters = $"{caller.Tenant}|{request.Channel}|{request.ShowRemoved}";
        var page = PageToken.Read(request.PageToken, filters, DateTimeOffset.UtcNow);
        var rows = new List<ConnectionRecord>();
        foreach (var channel in channels)
        {
            rows.AddRange(await Db(channel).Connections.AsNoTracking()
                .Where(c => c.TenantId == caller.Tenant && c.CreatedAt <= page.AsOf && (request.ShowRemoved || c.RemovedAt == null)).ToListAsync(context.CancellationToken));
        }

        var slice = rows.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Skip(page.Offset).Take(size + 1).ToList();
        var response = new ListConnectionsResponse { Connections = { slice.Take(size).Select(Message) } };
        if (slice.Count > size) response.NextPageToken = PageToken.Next(filters, page.Offset + size, page.AsOf);
        return response;
    }

    public override async Task<Connection> GetConnection(GetConnectionRequest request, ServerCallContext context)
    {
        var id = GrpcCalls.Id(request.Name, "connections", "name");
        var channels = Served(Channel.Unspecified);
        var caller = await ReaderAsync(channels[0], context);
        foreach (var channel in channels)
        {
            if (await Db(channel).Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id && c.TenantId == caller.Tenant, context.CancellationToken) is { } found)
            {
                return Message(found);
            }
        }

        throw GrpcProblem.NotFound("connection with this id");
    }

    private List<Contracts.Channel> Served(Channel filter)
    {
        if (filter == Channel.Unspecified)
        {
            return directory.Contexts.Keys.Order().ToList();
        }

        var channel = System.Enum.Parse<Contracts.Channel>(filter.ToString());
        return directory.Contexts.ContainsKey(channel)
            ? [channel]
            : throw GrpcProblem.Refused("CHANNEL_NOT_SERVED_HERE",
                $"This process serves the connections of {string.Join(", ", directory.Contexts.Keys)}; ask the {filter} adapter for {filter} connections.");
    }

    private ChannelDbContext Db(Contracts.Channel channel) => (ChannelDbContext)services.GetRequiredService(directory.Contexts[channel]);

    private Task<Caller> ReaderAsync(Contracts.Channel channel, ServerCallContext context) => context.ReaderAsync(Db(channel));

    private static Connection Message(ConnectionRecord c)
    {
        var connection = new Connection
        {
            Name = GrpcCalls.Name("connections", c.Id), Channel = System.Enum.Parse<Channel>(c.Channel.ToString()), DisplayName = c.Name, ExternalId = c.ExternalId,
            AccountNumber = c.AccountNumber ?? "", Health = System.Enum.Parse<ConnectionHealth>(c.Health.ToString()), HealthDetail = c.HealthDetail,
            FlowsPaused = c.FlowsPaused, CreateTime = Timestamp.FromDateTimeOffset(c.CreatedAt), UpdateTime = Timestamp.FromDateTimeOffset(c.UpdatedAt),
        };
        if (c.CredentialsExpireAt is { } expires) connection.CredentialsExpireTime = Timestamp.FromDateTimeOffset(expires);
        if (c.RemovedAt is { } removed) connection.RemoveTime = Timestamp.FromDateTimeOffset(removed);
        return connection;
    }
}
