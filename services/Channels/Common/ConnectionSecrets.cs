using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Rakuten.Platform.Channels.Common;

/// <summary>Encrypts credentials at rest with ASP.NET Core Data Protection (keys in the key ring the operator
/// points <c>Platform:DataProtection:KeyRingPath</c> at).</summary>
public sealed class ConnectionSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Rakuten.Platform.Connections.Credentials.v1");

    public string Protect<T>(T credentials) => _protector.Protect(JsonSerializer.Serialize(credentials));

    public T Unprotect<T>(string protectedCredentials) =>
        JsonSerializer.Deserialize<T>(_protector.Unprotect(protectedCredentials))
        ?? throw new InvalidOperationException("Stored credentials could not be read.");
}

/// <summary>Hides a secret from every ToString (records print all their members, and so do loggers).</summary>
public static class Redact
{
    public static string Secret(string? value) => string.IsNullOrEmpty(value) ? "(empty)" : $"***({value.Length} chars)";
}
