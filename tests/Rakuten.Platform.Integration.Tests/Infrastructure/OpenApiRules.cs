using System.Text.Json.Nodes;

namespace Rakuten.Platform.Integration.Tests.Infrastructure;

/// <summary>What an OpenAPI document of the platform must say of each operation (issue 19): the schema of its result,
/// the Problem Details of its errors, and the schema of the body it takes.</summary>
public static class OpenApiRules
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    /// <summary>The document's operations, as "METHOD /path".</summary>
    public static IEnumerable<string> Operations(JsonObject document) =>
        from path in document["paths"]!.AsObject()
        from method in Methods
        where path.Value![method] is not null
        select $"{method.ToUpperInvariant()} {path.Key}";

    /// <summary>Every way the document falls short, one line each: an operation without a 2xx result, a 2xx result
    /// with a body but no schema, an error response that is not Problem Details, an identified operation without its
    /// 400/401/403/429 (and 404 where the path names something), a body-taking method without a request schema where
    /// the operation takes one.</summary>
    public static IReadOnlyList<string> Violations(JsonObject document, IReadOnlySet<string> anonymous)
    {
        var violations = new List<string>();
        foreach (var path in document["paths"]!.AsObject())
        {
            foreach (var method in Methods)
            {
                if (path.Value![method] is not JsonObject operation) continue;
                var name = $"{method.ToUpperInvariant()} {path.Key}";
                var responses = operation["responses"]?.AsObject() ?? [];
                var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
                if (success.Count == 0) violations.Add($"{name}: no 2xx response");
                foreach (var (status, response) in success.Where(r => r.Key != "204"))
                {
                    // JSON, or a described file (the bulk files' CSV and .xlsx downloads).
                    if (Schema(response, "application/json") is null && Schema(response, "text/csv") is null)
                        violations.Add($"{name}: {status} has no JSON schema");
                }

                foreach (var (status, response) in responses.Where(r => r.Key.StartsWith('4') || r.Key.StartsWith('5')))
                {
                    if (Schema(response, "application/problem+json") is null) violations.Add($"{name}: {status} is not Problem Details");
                }

                // The open operations (the landing page, Shopify's signed webhooks) declare their own.
                var expected = anonymous.Contains(name) ? [] : new List<string> { "400", "401", "403", "429" };
                if (!anonymous.Contains(name) && path.Key.Contains('{')) expected.Add("404");
                violations.AddRange(expected.Where(s => !responses.ContainsKey(s)).Select(s => $"{name}: no {s} response"));
                if (operation["requestBody"] is JsonObject body && body["content"]?.AsObject().All(c => c.Value?["schema"] is null) != false)
                {
                    violations.Add($"{name}: its request body has no schema");
                }
            }
        }

        return violations;
    }

    private static JsonNode? Schema(JsonNode? response, string contentType) => response?["content"]?[contentType]?["schema"];
}
