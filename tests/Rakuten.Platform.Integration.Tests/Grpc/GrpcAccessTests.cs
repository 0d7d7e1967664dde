using FluentAssertions;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Rakuten.Platform.Api.V1;
using Rakuten.Platform.TestService.Testing;

namespace Rakuten.Platform.Integration.Tests.Grpc;

/// <summary>Every method of the public gRPC API as an attacker tries it (issue 18, DESIGN §13): without an identity, with a
/// token of a foreign key, and with a viewer's token on the methods that change something.</summary>
public sealed class GrpcAccessTests
{
    private static readonly string[] Changing =
    [
        "rakuten.platform.v1.Orders/CancelOrder", "rakuten.platform.v1.Holds/RetryHold", "rakuten.platform.v1.Holds/ReleaseHold",
        "rakuten.platform.v1.Holds/DismissHold", "rakuten.platform.v1.Catalog/RequestResync",
    ];

    [Fact]
    public async Task Every_method_refuses_the_anonymous_and_a_forged_token_and_a_viewer_changes_nothing()
    {
        await using var hosts = await ChannelHosts.StartAsync(withCatalog: true);
        var methods = new[] { OrdersReflection.Descriptor, InventoryReflection.Descriptor, CatalogReflection.Descriptor, ConnectionsReflection.Descriptor }
            .SelectMany(f => f.Services).SelectMany(s => s.Methods).ToList();
        methods.Select(m => m.FullName).Should().HaveCount(17, "every method of the API is gone over");
        using var anonymous = hosts.GrpcFor(null, []);
        using var viewer = hosts.GrpcFor(hosts.Tenant, ["viewer"]);
        var forgedToken = TestIdentity.Token(hosts.Tenant, ["admin"], key: new Microsoft.IdentityModel.Tokens.RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "foreign" });
        using var forged = hosts.GrpcFor(null, [], ("authorization", $"Bearer {forgedToken}"));
        var answers = new List<string>();
        foreach (var method in methods)
        {
            var name = $"{method.Service.FullName}/{method.Name}";
            answers.Add($"{name} anonymous: {await CallAsync(anonymous, method)}");
            answers.Add($"{name} forged: {await CallAsync(forged, method)}");
            if (Changing.Contains(name)) answers.Add($"{name} viewer: {await CallAsync(viewer, method)}");
        }

        answers.Where(a => a.Contains("anonymous") || a.Contains("forged")).Should().OnlyContain(a => a.EndsWith("Unauthenticated", StringComparison.Ordinal));
        answers.Where(a => a.Contains("viewer")).Should().HaveCount(Changing.Length).And.OnlyContain(a => a.EndsWith("PermissionDenied", StringComparison.Ordinal));
    }

    /// <summary>The method called with an empty request; its status code.</summary>
    private static async Task<StatusCode> CallAsync(global::Grpc.Net.Client.GrpcChannel channel, MethodDescriptor descriptor)
    {
        var method = new Method<byte[], byte[]>(descriptor.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary, descriptor.Service.FullName,
            descriptor.Name, Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        try
        {
            if (descriptor.IsServerStreaming)
            {
                using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), []);
                await call.ResponseStream.MoveNext(CancellationToken.None);
            }
            else
            {
                await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), []);
            }

            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}
