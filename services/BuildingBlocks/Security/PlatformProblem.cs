using Microsoft.AspNetCore.Http;

namespace Rakuten.Platform.BuildingBlocks.Security;

/// <summary>A request that cannot go on, as an RFC 9457 Problem Details answer: thrown where an answer cannot be
/// returned (parameter binding), written by <see cref="ApiErrors"/>. <see cref="Errors"/> names each field with its rule.</summary>
public sealed class PlatformProblem(int status, string title, string? detail = null, IDictionary<string, string[]>? errors = null)
    : Exception(detail ?? title)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    public IDictionary<string, string[]>? Errors { get; } = errors;

    /// <summary>404 with no hint of whether the thing exists for someone else (another tenant's resource looks absent).</summary>
    public static PlatformProblem NotFound(string what) => new(StatusCodes.Status404NotFound, "Not found", $"No {what} here.");

    public static PlatformProblem Field(string field, string rule) =>
        new(StatusCodes.Status400BadRequest, "The request is not valid", $"{field}: {rule}", new Dictionary<string, string[]> { [field] = [rule] });
}
