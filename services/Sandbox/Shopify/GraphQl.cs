using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rakuten.Platform.Sandbox.Shopify;

/// <summary>Just enough GraphQL to recognise an operation: its kind, its top-level fields with their arguments
/// (literals or <c>$variables</c>), and an <c>@idempotent(key:)</c> directive. Selection sets are not
/// interpreted: each supported field answers with its whole object.</summary>
public sealed partial record GraphQlOperation(string Kind, IReadOnlyList<GraphQlField> Fields, string? IdempotencyKey)
{
    public static GraphQlOperation Parse(string query, JsonObject variables)
    {
        var text = Comments().Replace(query, "");
        var kind = text.TrimStart().StartsWith("mutation", StringComparison.Ordinal) ? "mutation" : "query";
        var open = text.IndexOf('{');
        if (open < 0)
        {
            throw new FormatException("the document has no selection set");
        }

        // Directives on the operation (before the first brace) or on the mutation field.
        var key = Idempotent().Match(text) is { Success: true } m ? Value(m.Groups[1].Value, variables)?.ToString() : null;

        var fields = new List<GraphQlField>();
        var i = open + 1;
        var depth = 1;
        while (i < text.Length && depth > 0)
        {
            var c = text[i];
            if (c == '}')
            {
                depth--;
                i++;
                continue;
            }

            if (depth == 1 && (char.IsLetter(c) || c == '_'))
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                var name = text[start..i];
                var alias = name;
                var rest = text[i..].TrimStart();
                if (rest.StartsWith(':'))
                {
                    i = text.IndexOf(':', i) + 1;
                    while (char.IsWhiteSpace(text[i])) i++;
                    start = i;
                    while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                    name = text[start..i];
                }

                var arguments = new JsonObject();
                while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
                if (i < text.Length && text[i] == '(')
                {
                    var close = Matching(text, i, '(', ')');
                    foreach (var (argName, argValue) in Arguments(text[(i + 1)..close]))
                    {
                        arguments[argName] = Value(argValue, variables);
                    }

                    i = close + 1;
                }

                while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
                while (i < text.Length && text[i] == '@')
                {
                    while (i < text.Length && text[i] != '{' && text[i] != '}' && !(text[i] == ')' )) i++;
                    if (i < text.Length && text[i] == ')') i++;
                    while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
                }

                if (i < text.Length && text[i] == '{')
                {
                    i = Matching(text, i, '{', '}') + 1;
                }

                fields.Add(new GraphQlField(alias, name, arguments));
                continue;
            }

            if (c == '{') depth++;
            i++;
        }

        return new GraphQlOperation(kind, fields, key);
    }

    private static int Matching(string text, int open, char o, char c)
    {
        var depth = 0;
        var inString = false;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '"' && (i == 0 || text[i - 1] != '\\')) inString = !inString;
            if (inString) continue;
            if (text[i] == o) depth++;
            if (text[i] == c && --depth == 0) return i;
        }

        throw new FormatException($"unbalanced '{o}'");
    }

    private static IEnumerable<(string, string)> Arguments(string inside)
    {
        var depth = 0;
        var inString = false;
        var start = 0;
        for (var i = 0; i <= inside.Length; i++)
        {
            if (i < inside.Length)
            {
                var ch = inside[i];
                if (ch == '"' && (i == 0 || inside[i - 1] != '\\')) inString = !inString;
                if (inString) continue;
                if (ch is '{' or '[' or '(') depth++;
                if (ch is '}' or ']' or ')') depth--;
                if (ch != ',' || depth != 0) continue;
            }

            var part = inside[start..i].Trim();
            start = i + 1;
            var colon = part.IndexOf(':');
            if (colon > 0)
            {
                yield return (part[..colon].Trim(), part[(colon + 1)..].Trim());
            }
        }
    }

    private static JsonNode? Value(string literal, JsonObject variables)
    {
        if (literal.StartsWith('$')) return variables[literal[1..]]?.DeepClone();
        if (literal.StartsWith('"')) return JsonValue.Create(System.Text.Json.JsonSerializer.Deserialize<string>(literal));
        if (long.TryParse(literal, out var n)) return JsonValue.Create(n);
        if (literal is "true" or "false") return JsonValue.Create(literal == "true");
        if (literal == "null") return null;
        return JsonValue.Create(literal); // an enum value
    }

    [GeneratedRegex(@"#[^\n]*")]
    private static partial Regex Comments();

    [GeneratedRegex(@"@idempotent\s*\(\s*key\s*:\s*(""[^""]*""|\$\w+)\s*\)")]
    private static partial Regex Idempotent();
}

public sealed record GraphQlField(string Alias, string Name, JsonObject Arguments);
