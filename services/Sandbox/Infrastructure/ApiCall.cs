using System.Text;
using System.Text.Json.Nodes;

namespace Rakuten.Platform.Sandbox.Infrastructure;

/// <summary>A JSON answer as the marketplaces send it: their content type and a request id header.</summary>
public sealed class JsonAnswer(int status, JsonNode? body, IReadOnlyDictionary<string, string>? headers = null) : IResult
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public int Status => status;

    public JsonNode? Body => body;

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = status;
        http.Response.Headers["RequestId"] = Guid.NewGuid().ToString();
        foreach (var (key, value) in headers ?? new Dictionary<string, string>())
        {
            http.Response.Headers[key] = value;
        }

        if (body is not null)
        {
            http.Response.ContentType = "application/json;charset=UTF-8";
            // The marketplaces send Japanese and accented text as UTF-8, not as \u escapes.
            await http.Response.WriteAsync(body.ToJsonString(Json), Encoding.UTF8);
        }
    }
}

/// <summary>What every imitated endpoint does around its own logic, in the order the real gateways do it:
/// count the call, apply an injected fault, authenticate, enforce the rate limit, parse the body.</summary>
public sealed record ApiCall(string Api, string Endpoint)
{
    public delegate (string? Account, IResult? Refusal) Authenticator(HttpContext http);

    public async Task<IResult> RunAsync(
        HttpContext http,
        SandboxState state,
        Authenticator authenticate,
        Func<int, string, JsonNode> errorBody,
        (string Bucket, int PerSecond)? limit,
        Func<string, JsonNode?, IResult> handle,
        bool readsBody = true)
    {
        var (account, refusal) = authenticate(http);
        var result = await AnswerAsync(http, state, account, refusal, errorBody, limit, handle, readsBody);
        state.Calls.Record(Api, Endpoint, account, result is IStatusCodeHttpResult { StatusCode: { } s } ? s : (result as JsonAnswer)?.Status ?? 200);
        return result;
    }

    private async Task<IResult> AnswerAsync(
        HttpContext http, SandboxState state, string? account, IResult? refusal, Func<int, string, JsonNode> errorBody,
        (string Bucket, int PerSecond)? limit, Func<string, JsonNode?, IResult> handle, bool readsBody)
    {
        if (await state.Faults.NextAsync(Api, Endpoint, account, http.RequestAborted) is { } fault)
        {
            return await FaultAsync(http, fault, errorBody);
        }

        if (refusal is not null || account is null)
        {
            return refusal ?? new JsonAnswer(401, errorBody(401, "Unauthorized"));
        }

        if (limit is { } l && !state.Limits.TryAcquire(account, l.Bucket, l.PerSecond, out var wait))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            return new JsonAnswer(429, errorBody(429, $"Too many requests: at most {l.PerSecond} per second for {l.Bucket}."),
                new Dictionary<string, string> { ["Retry-After"] = seconds.ToString() });
        }

        JsonNode? body = null;
        if (readsBody)
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(http.RequestAborted);
            if (text.Length > 0)
            {
                try
                {
                    body = JsonNode.Parse(text);
                }
                catch (System.Text.Json.JsonException ex)
                {
                    return new JsonAnswer(400, errorBody(400, $"The request body is not valid JSON: {ex.Message}"));
                }
            }
        }

        lock (state.Sync)
        {
            return handle(account, body);
        }
    }

    private static async Task<IResult> FaultAsync(HttpContext http, FaultRule fault, Func<int, string, JsonNode> errorBody)
    {
        switch (fault.Kind)
        {
            case FaultKind.RateLimited:
                return new JsonAnswer(429, errorBody(429, "Too many requests (injected)."),
                    new Dictionary<string, string> { ["Retry-After"] = fault.RetryAfterSeconds.ToString() });
            case FaultKind.ServerError:
                return new JsonAnswer(500, errorBody(500, "Internal server error (injected)."));
            case FaultKind.Maintenance:
                return new JsonAnswer(503, errorBody(503, "Service unavailable: scheduled maintenance (injected)."));
            case FaultKind.Timeout:
                await Faults.HoldAsync(fault, http.RequestAborted);

                return Results.StatusCode(504);
            default:
                return Results.Text("{\"MessageModelList\":[{\"messageType\":", "application/json;charset=UTF-8", Encoding.UTF8, 200);
        }
    }
}
