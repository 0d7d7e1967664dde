using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.BuildingBlocks.Grpc;

/// <summary>The gRPC form of the platform's errors (google.rpc.Status with details, through Grpc.StatusProto): a field
/// that breaks a rule is INVALID_ARGUMENT with a BadRequest naming it; the HTTP API's <see cref="PlatformProblem"/>s map to
/// their gRPC codes.</summary>
public static class GrpcProblem
{
    /// <summary>INVALID_ARGUMENT naming each field with its rule.</summary>
    public static RpcException Invalid(params (string Field, string Rule)[] violations)
    {
        var request = new BadRequest();
        request.FieldViolations.AddRange(violations.Select(v => new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Rule }));
        return new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = string.Join("; ", violations.Select(v => $"{v.Field}: {v.Rule}")),
            Details = { Any.Pack(request) },
        }.ToRpcException();
    }

    /// <summary>FAILED_PRECONDITION: the request is valid but the resource's state refuses it; <paramref name="reason"/>
    /// is a stable code (ErrorInfo.reason) a program can switch on.</summary>
    public static RpcException Refused(string reason, string message, string domain = "rakuten.platform", IDictionary<string, string>? metadata = null)
    {
        var info = new ErrorInfo { Reason = reason, Domain = domain };
        if (metadata is not null)
        {
            info.Metadata.Add(metadata);
        }

        return new Google.Rpc.Status { Code = (int)Code.FailedPrecondition, Message = message, Details = { Any.Pack(info) } }.ToRpcException();
    }

    /// <summary>A refusal by a marketplace: FAILED_PRECONDITION with the marketplace's own code (ErrorInfo.reason, domain the channel).</summary>
    public static RpcException MarketplaceRefused(string channel, string code, string message) =>
        Refused(code, $"{channel} refused: {message}", $"{channel.ToLowerInvariant()}.marketplace");

    public static RpcException NotFound(string what) => new(new global::Grpc.Core.Status(StatusCode.NotFound, $"No {what} here."));

    /// <summary>The gRPC status of an HTTP API problem.</summary>
    public static RpcException From(PlatformProblem problem)
    {
        if (problem.Status == StatusCodes.Status400BadRequest && problem.Errors is { Count: > 0 } errors)
        {
            return Invalid(errors.SelectMany(e => e.Value.Select(rule => (e.Key, rule))).ToArray());
        }

        var code = problem.Status switch
        {
            StatusCodes.Status400BadRequest => StatusCode.InvalidArgument,
            StatusCodes.Status401Unauthorized => StatusCode.Unauthenticated,
            StatusCodes.Status403Forbidden => StatusCode.PermissionDenied,
            StatusCodes.Status404NotFound => StatusCode.NotFound,
            StatusCodes.Status409Conflict => StatusCode.FailedPrecondition,
            StatusCodes.Status413PayloadTooLarge => StatusCode.ResourceExhausted,
            StatusCodes.Status429TooManyRequests => StatusCode.ResourceExhausted,
            StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
            _ => StatusCode.Internal,
        };
        return new RpcException(new global::Grpc.Core.Status(code, problem.Detail ?? problem.Title));
    }
}
