using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Rakuten.Platform.BuildingBlocks.EventSourcing;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.BuildingBlocks.Grpc;

/// <summary>Every gRPC method's errors as gRPC statuses: the platform's problems keep their meaning (INVALID_ARGUMENT with
/// the fields, NOT_FOUND, FAILED_PRECONDITION…), a concurrent change is ABORTED (retry), a cancelled or expired call stays
/// CANCELLED / DEADLINE_EXCEEDED, and anything else is INTERNAL without its message (which could name a host or a row).</summary>
public sealed class GrpcErrors(ILogger<GrpcErrors> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (Translate(ex, context) is { } status)
        {
            throw status;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (Translate(ex, context) is { } status)
        {
            throw status;
        }
    }

    private RpcException? Translate(Exception ex, ServerCallContext context)
    {
        switch (ex)
        {
            case RpcException:
                return null;
            case PlatformProblem problem:
                return GrpcProblem.From(problem);
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                // The deadline passed or the client went away: the framework answers DEADLINE_EXCEEDED / CANCELLED.
                return context.Deadline <= DateTime.UtcNow
                    ? new RpcException(new Status(StatusCode.DeadlineExceeded, "The call's deadline passed; nothing further was done."))
                    : new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
            case StreamConcurrencyException or DbUpdateConcurrencyException:
                return new RpcException(new Status(StatusCode.Aborted, "Another change of the same resource was committed first; nothing was changed. Retry."));
            default:
                logger.LogError(ex, "gRPC {Method} failed", context.Method);
                return new RpcException(new Status(StatusCode.Internal, "The platform could not answer this call; its log says why (trace id in the platform's traces)."));
        }
    }
}
