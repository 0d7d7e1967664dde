using Microsoft.Data.Sqlite;
using Npgsql;

namespace Rakuten.Platform.BuildingBlocks.Persistence;

public static class DatabaseErrors
{
    /// <summary>True when <paramref name="exception"/> (or an inner one) is a unique-key violation, on
    /// <paramref name="table"/> when one is given. PostgreSQL reports the table; SQLite names it in the message.</summary>
    public static bool IsUniqueViolation(Exception exception, string? table = null)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg:
                    return table is null || pg.TableName == table;
                // 2067 = SQLITE_CONSTRAINT_UNIQUE, 1555 = SQLITE_CONSTRAINT_PRIMARYKEY
                case SqliteException { SqliteExtendedErrorCode: 2067 or 1555 } lite:
                    return table is null || lite.Message.Contains($" {table}.", StringComparison.Ordinal);
            }
        }

        return false;
    }
}
