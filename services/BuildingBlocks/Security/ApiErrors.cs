using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Rakuten.Platform.BuildingBlocks.Security;

/// <summary>Every error as RFC 9457 Problem Details: refusals the endpoints return, <see cref="PlatformProblem"/>s, the
/// framework's own 400s (unreadable JSON, a missing or malformed parameter — with the field named) and anything
/// unexpected (500, with a trace id and no internals).</summary>
public sealed class ApiErrors(IProblemDetailsService problems, ILogger<ApiErrors> logger) : IExceptionHandler
{
    public static IResult Problem(int status, string title, string? detail = null, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail, statusCode: status, title: title, extensions: extensions);

    /// <summary>400, each field with its rules.</summary>
    public static IResult Validation(IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, detail: string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join("; ", e.Value)}.")),
            title: "The request is not valid");

    /// <summary>400 from a list of "field rule" messages (the first word names the field).</summary>
    public static IResult Validation(IEnumerable<string> messages)
    {
        var list = messages.ToList();
        var errors = list.Select(m => m.Split(' ', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Select(p => p.Length > 1 ? p[1] : "is not valid").ToArray());
        return Results.ValidationProblem(errors, detail: string.Join(" ", list.Select(m => m.TrimEnd('.') + ".")), title: "The request is not valid");
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away: nobody reads an answer, and it is not the platform's error.
            http.Response.StatusCode = 499;
            return true;
        }

        var (status, title, detail, errors) = exception switch
        {
            PlatformProblem p => (p.Status, p.Title, p.Detail, p.Errors),
            BadHttpRequestException b => Describe(b),
            // Two requests made the same thing at the same moment and the database kept one: the other is told to look again.
            Microsoft.EntityFrameworkCore.DbUpdateException u when Persistence.DatabaseErrors.IsUniqueViolation(u) =>
                (StatusCodes.Status409Conflict, "Changed meanwhile", "Another request changed the same thing at the same moment; read it again and retry.", null),
            EventSourcing.StreamConcurrencyException or Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException =>
                (StatusCodes.Status409Conflict, "Changed meanwhile", "Another request changed the same thing at the same moment; read it again and retry.", null),
            _ => (StatusCodes.Status500InternalServerError, "Unexpected error",
                "The platform could not complete the request. Nothing was changed unless the response said so; give the trace id to support.", null),
        };

        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
        }

        http.Response.StatusCode = status;
        var problem = errors is null
            ? new ProblemDetails { Status = status, Title = title, Detail = detail }
            : new HttpValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>The framework's binding errors, said in the request's own terms: which field, which rule.</summary>
    private static (int, string, string?, IDictionary<string, string[]>?) Describe(BadHttpRequestException b)
    {
        for (var inner = b.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                var (field, rule) = Rule(json);
                return (StatusCodes.Status400BadRequest, "The body is not valid", $"{field}: {rule}.", new Dictionary<string, string[]> { [field] = [rule] });
            }
        }

        if (b.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (b.StatusCode, "Request body too large", "The body is larger than this endpoint accepts.", null);
        }

        if (b.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return (b.StatusCode, "Unsupported media type", "Send the body as JSON (Content-Type: application/json).", null);
        }

        // "Required parameter \"Guid id\" was not provided from …" and its kin: name the parameter, not the type.
        var text = b.Message;
        var quoted = text.Split('"');
        var name = quoted.Length >= 3 ? quoted[1].Split(' ').Last() : "request";
        var reason = text.Contains("not provided", StringComparison.Ordinal) ? "is required"
            : text.Contains("no body was provided", StringComparison.Ordinal) ? "a JSON body is required"
            : "is not valid";
        return (b.StatusCode, "The request is not valid", $"{name}: {reason}.", new Dictionary<string, string[]> { [name] = [reason] });
    }

    /// <summary>The field and the rule a JSON reader error is about, in the request's terms (never our type names).</summary>
    private static (string Field, string Rule) Rule(JsonException json)
    {
        var field = Field(json.Path);
        var message = json.Message;
        string? Quoted(string after)
        {
            var at = message.IndexOf(after, StringComparison.Ordinal);
            if (at < 0) return null;
            var rest = message[(at + after.Length)..];
            var end = rest.IndexOf('\'');
            return end > 0 ? rest[..end] : null;
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var missing = message[(message.IndexOf("including:", StringComparison.Ordinal) + "including:".Length)..].Trim().TrimEnd('.').Replace("'", "");
            return (Join(field, Camel(missing.Split(',')[0].Trim())), "is required");
        }

        if (message.Contains("null", StringComparison.Ordinal) && (Quoted("parameter '") ?? Quoted("field '")) is { } name)
        {
            name = Camel(name);
            return (field == name || field.EndsWith("." + name, StringComparison.Ordinal) ? field : Join(field, name), "must not be null");
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return (field, "has the wrong type or format");
        }

        return (field, "is not valid JSON");
    }

    private static string Join(string parent, string child) => parent == "body" ? child : $"{parent}.{child}";

    private static string Camel(string name) => name.Length > 0 && char.IsUpper(name[0]) ? char.ToLowerInvariant(name[0]) + name[1..] : name;

    /// <summary>A JSON path (<c>$.credentials.serviceSecret</c>, <c>$['a b']</c>) as the field name the docs use.</summary>
    private static string Field(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length > 200 ? field[..200] : field;
    }

    /// <summary>Adds the trace id to every problem, so that a merchant can quote it.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        // The framework's own 401/403/404/405 come without a word: say what to do.
        context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
        {
            StatusCodes.Status401Unauthorized => "Send a valid bearer token (Authorization: Bearer …) or API key (X-Api-Key: …) of the platform's identity provider.",
            StatusCodes.Status403Forbidden => "This identity's roles do not allow this call (viewer reads; operator acts on orders, listings, stock and carriers; admin manages connections and API keys).",
            StatusCodes.Status404NotFound => "There is nothing at this address.",
            StatusCodes.Status405MethodNotAllowed => "This address does not take this method.",
            _ => null,
        };
        context.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
    }
}

/// <summary>Rules for text fields of requests: a length and no control characters (a token with a NUL or a line break in
/// it is a mistake, and one that could forge a header).</summary>
public static class Text
{
    /// <summary>Why <paramref name="value"/> is not acceptable, or null.</summary>
    public static string? Problem(string? value, int min, int max)
    {
        if (value is null || (min > 0 && string.IsNullOrWhiteSpace(value)))
        {
            return "is required";
        }

        if (value.Length > max)
        {
            return $"must be at most {max} characters (it has {value.Length})";
        }

        if (value.Length < min)
        {
            return $"must be at least {min} characters";
        }

        return value.Any(char.IsControl) ? "must not contain control characters (line breaks, tabs, NUL…)" : null;
    }
}
