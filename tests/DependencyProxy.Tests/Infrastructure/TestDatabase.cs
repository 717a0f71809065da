using Npgsql;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// Which database the in-process server uses. By default SQLite in its data directory. When <c>DP_TEST_POSTGRES</c>
/// holds a connection string (scripts/test.sh starts a PostgreSQL and runs the suite a second time with it), every
/// server gets a database of its own there, dropped afterwards: the same tests prove the same behaviour on both.
/// </summary>
public sealed class TestDatabase
{
    private static readonly string? Server = Environment.GetEnvironmentVariable("DP_TEST_POSTGRES");

    private readonly string? _name;

    private TestDatabase(string? name) => _name = name;

    public static bool IsPostgreSql => !string.IsNullOrEmpty(Server);

    /// <summary>Settings that point the server at this database (none for SQLite).</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings => _name is null
        ? []
        : [new("DependencyProxy:Database:Provider", "postgresql"), new("DependencyProxy:Database:ConnectionString", ConnectionString(_name))];

    public static TestDatabase Create()
    {
        if (!IsPostgreSql)
        {
            return new TestDatabase(null);
        }

        var name = $"dp_{Guid.NewGuid():N}";
        Execute($"CREATE DATABASE \"{name}\"");
        return new TestDatabase(name);
    }

    public void Drop()
    {
        if (_name is not null)
        {
            NpgsqlConnection.ClearAllPools();
            Execute($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");
        }
    }

    private static string ConnectionString(string database) => new NpgsqlConnectionStringBuilder(Server) { Database = database }.ToString();

    private static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(Server);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
