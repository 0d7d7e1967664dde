using FluentAssertions;
using Google.Rpc;
using Grpc.Core;

namespace Rakuten.Platform.Integration.Tests.Grpc;

/// <summary>What a gRPC call that must fail failed with: its code, and the google.rpc details the platform attaches.</summary>
public static class GrpcAssert
{
    public static async Task<RpcException> FailsAsync(Func<Task> call, StatusCode code)
    {
        var thrown = await FluentActions.Awaiting(call).Should().ThrowAsync<RpcException>();
        thrown.Which.StatusCode.Should().Be(code, thrown.Which.Status.Detail);
        return thrown.Which;
    }

    public static async Task<RpcException> FailsAsync<T>(AsyncUnaryCall<T> call, StatusCode code) => await FailsAsync(async () => await call, code);

    /// <summary>The fields an INVALID_ARGUMENT names (google.rpc.BadRequest).</summary>
    public static IReadOnlyList<string> Violations(RpcException ex) =>
        ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToList() ?? [];
}
