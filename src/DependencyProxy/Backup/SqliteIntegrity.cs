using Microsoft.Data.Sqlite;

namespace DependencyProxy.Backup;

/// <summary>
/// The restored database opened and checked by SQLite itself. The manifest's hashes catch a damaged copy, not a backup
/// rewritten with its manifest and marker recomputed (the marker is a hash, not a signature): without this, such a
/// database would be restored and the server would stop at start with SQLite's "file is not a database".
/// </summary>
internal static class SqliteIntegrity
{
    public static async Task ThrowUnlessSoundAsync(string path, CancellationToken cancellationToken)
    {
        string verdict;
        try
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false,
            }.ToString());
            await connection.OpenAsync(cancellationToken);
            await using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check;";
            verdict = Convert.ToString(await check.ExecuteScalarAsync(cancellationToken)) ?? "";
        }
        catch (SqliteException unreadable)
        {
            verdict = unreadable.Message;
        }

        if (verdict != "ok")
        {
            throw new BackupRefusedException($"the backup's database is not a sound SQLite database ({verdict}): it is damaged, nothing was restored");
        }
    }
}
