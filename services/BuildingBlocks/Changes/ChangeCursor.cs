using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Rakuten.Platform.BuildingBlocks.Changes;

/// <summary>A position in a change feed: the writing transaction (PostgreSQL; 0 on SQLite) and the row's position. Feeds
/// are read in this order.</summary>
public readonly record struct ChangeCursor(long Tx, long Position) : IComparable<ChangeCursor>
{
    public static readonly ChangeCursor Start = new(0, 0);

    public int CompareTo(ChangeCursor other) => Tx != other.Tx ? Tx.CompareTo(other.Tx) : Position.CompareTo(other.Position);

    public static bool operator <(ChangeCursor a, ChangeCursor b) => a.CompareTo(b) < 0;

    public static bool operator >(ChangeCursor a, ChangeCursor b) => a.CompareTo(b) > 0;

    public static bool operator <=(ChangeCursor a, ChangeCursor b) => a.CompareTo(b) <= 0;

    public static bool operator >=(ChangeCursor a, ChangeCursor b) => a.CompareTo(b) >= 0;

    /// <summary>The opaque resume token of this position in <paramref name="topic"/>'s watch.</summary>
    public string Token(string topic) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"v1:{topic}:{Tx}:{Position}")));

    /// <summary>Reads a token of <paramref name="topic"/>; null when it is not one (malformed, or another watch's).</summary>
    public static ChangeCursor? Parse(string token, string topic)
    {
        if (token.Length is 0 or > 200)
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split(':');
            return parts is ["v1", var t, var tx, var position] && t == topic
                   && long.TryParse(tx, NumberStyles.None, CultureInfo.InvariantCulture, out var x)
                   && long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
                ? new ChangeCursor(x, p)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>A change as a watch delivers it.</summary>
public sealed record ChangeRow(ChangeCursor Cursor, Guid TenantId, string Topic, string Subject, byte[] Data, DateTimeOffset RecordedAt);
