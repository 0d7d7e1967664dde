using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Rakuten.Platform.BuildingBlocks.Persistence;
using Rakuten.Platform.BuildingBlocks.Security;

namespace Rakuten.Platform.BuildingBlocks.Grpc;

/// <summary>What every gRPC method of the platform does first: who calls, for which tenant (the identity's; an ops
/// identity names the tenant it reads in the <c>x-tenant-id</c> metadata, and such a read is audited), and the
/// resource names and page tokens of its request.</summary>
public static class GrpcCalls
{
    /// <summary>The caller of a reading method; an ops read of another tenant is recorded in that tenant's audit log.</summary>
    public static async Task<Caller> ReaderAsync<TContext>(this ServerCallContext context, TContext db) where TContext : PlatformDbContext
    {
        var http = context.GetHttpContext();
        var caller = Caller.For(http, reads: true);
        if (caller.CrossTenant)
        {
            db.Audit(caller, $"ops.read {context.Method}", context.Method, http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
            await db.SaveChangesAsync(context.CancellationToken);
        }

        return caller;
    }

    /// <summary>The caller of a method that changes something (never another tenant's).</summary>
    public static Caller Actor(this ServerCallContext context) => Caller.For(context.GetHttpContext(), reads: false);

    /// <summary>The id in <c>{collection}/{id}</c>; INVALID_ARGUMENT naming <paramref name="field"/> otherwise.</summary>
    public static Guid Id(string name, string collection, string field, string? suffix = null)
    {
        var prefix = collection + "/";
        var rest = name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : null;
        if (rest is not null && suffix is not null)
        {
            rest = rest.EndsWith("/" + suffix, StringComparison.Ordinal) ? rest[..^(suffix.Length + 1)] : null;
        }

        return rest is not null && Guid.TryParseExact(rest, "D", out var id)
            ? id
            : throw GrpcProblem.Invalid((field, $"must be '{collection}/{{uuid}}{(suffix is null ? "" : "/" + suffix)}'"));
    }

    /// <summary>The id of an optional <c>{collection}/{id}</c> filter; null when empty.</summary>
    public static Guid? OptionalId(string name, string collection, string field) => name.Length == 0 ? null : Id(name, collection, field);

    public static string Name(string collection, Guid id) => $"{collection}/{id}";

    /// <summary>An enum value this server knows (a newer client's value is INVALID_ARGUMENT naming <paramref name="field"/>).</summary>
    public static void Known<TEnum>(TEnum value, string field, string what) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value)) throw GrpcProblem.Invalid((field, $"is not {what} of this API version"));
    }

    /// <summary>An amount as the API shows it: a decimal string, so that no precision is lost, and its currency.</summary>
    public static Api.V1.Money Money(Contracts.Money money) =>
        new() { Amount = money.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture), CurrencyCode = money.Currency };

    /// <summary>A page size within the method's bounds: 0 is the default; negative is an error.</summary>
    public static int PageSize(int requested, int byDefault, int maximum) => requested switch
    {
        < 0 => throw GrpcProblem.Invalid(("page_size", "must not be negative")),
        0 => byDefault,
        _ => Math.Min(requested, maximum),
    };
}

/// <summary>Opaque page tokens: where the previous page ended, and a fingerprint of the query's filters, so that a token
/// is refused (INVALID_ARGUMENT) with other filters rather than answering a page of another list. Lists are read as of
/// the first page's moment, newest rows left out, so that a row inserted meanwhile does not shift the pages.</summary>
public static class PageToken
{
    public sealed record Position(int Offset, DateTimeOffset AsOf);

    public static string Next(string filters, int offset, DateTimeOffset asOf) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Fingerprint(filters)}|{offset}|{asOf.UtcTicks}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static Position Read(string token, string filters, DateTimeOffset now)
    {
        if (token.Length == 0)
        {
            return new Position(0, now);
        }

        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|');
            if (parts.Length == 3 && parts[0] == Fingerprint(filters) && int.TryParse(parts[1], out var offset) && offset >= 0
                && long.TryParse(parts[2], out var ticks) && ticks > 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks)
            {
                return new Position(offset, new DateTimeOffset(ticks, TimeSpan.Zero));
            }
        }
        catch (FormatException)
        {
        }

        throw GrpcProblem.Invalid(("page_token", "is not a token of this list with these filters: pass the next_page_token of the previous page, with the same filters"));
    }

    private static string Fingerprint(string filters) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(filters)))[..16];
}
