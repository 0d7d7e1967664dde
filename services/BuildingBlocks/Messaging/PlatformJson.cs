using System.Text.Json;

namespace Rakuten.Platform.BuildingBlocks.Messaging;

/// <summary>The one JSON shape used for contracts at rest (outbox, snapshots) and for stored events:
/// camelCase names, enums as strings (declared on the enums themselves).</summary>
public static class PlatformJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
