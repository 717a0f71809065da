using DependencyProxy.Configuration;
using DependencyProxy.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// Which database the in-process server uses. By default SQLite in its data directory. When <c>DP_TEST_POSTGRES</c>
/// holds a connection string (scripts/test.sh starts a PostgreSQL and runs the suite a second time with it), every
/// server gets a database of its own there, dropped afterwards: the same tests prove the same behaviour on both.
/// Every server's database starts as a copy of one the app's own migrations built once per run (a template), so a test
/// server's start finds the schema current instead of applying every migration again: on PostgreSQL that was most of a
/// test server's start. Tests of an empty database take <see cref="CreateEmpty"/>.
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

    /// <summary>The schema of the current build, without data (no instance yet: the server's start still creates root).</summary>
    public static TestDatabase Create()
    {
        if (!IsPostgreSql)
        {
            return new TestDatabase(null);
        }

        var name = $"dp_{Guid.NewGuid():N}";
        Execute($"CREATE DATABASE \"{name}\" TEMPLATE \"{PostgreSqlTemplate.Value}\"");
        return new TestDatabase(name);
    }

    /// <summary>A database without the schema (on SQLite: none, the test makes its own file).</summary>
    public static TestDatabase CreateEmpty()
    {
        if (!IsPostgreSql)
        {
            return new TestDatabase(null);
        }

        var name = $"dp_{Guid.NewGuid():N}";
        Execute($"CREATE DATABASE \"{name}\"");
        return new TestDatabase(name);
    }

    /// <summary>
    /// Puts the migrated SQLite template into a new data directory (nothing on PostgreSQL, whose copy is made in
    /// <see cref="Create"/>). A data directory that already holds a database keeps it.
    /// </summary>
    public void SeedDataDirectory(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, "dependency-proxy.db");
        if (_name is null && !File.Exists(file))
        {
            Directory.CreateDirectory(dataDirectory);
            File.Copy(SqliteTemplate.Value, file);
        }
    }

    private static readonly Lazy<string> SqliteTemplate = new(() =>
    {
        var directory = Path.Combine(Path.GetTempPath(), $"dp-test-template-{Guid.NewGuid():N}");
        Migrate(new DatabaseOptions(), directory);
        SqliteConnection.ClearAllPools(); // closed, so the file is whole (no journal beside it) before it is copied
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        return Path.Combine(directory, "dependency-proxy.db");
    });

    private static readonly Lazy<string> PostgreSqlTemplate = new(() =>
    {
        var name = $"dp_template_{Guid.NewGuid():N}";
        Execute($"CREATE DATABASE \"{name}\"");
        Migrate(new DatabaseOptions { Provider = DatabaseEngine.PostgreSql, ConnectionString = ConnectionString(name) }, Path.GetTempPath());
        NpgsqlConnection.ClearAllPools(); // PostgreSQL copies a template only while nobody is connected to it
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Execute($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        return name;
    });

    /// <summary>The app's own migrations, as its start applies them (DatabaseInitializer), on a new database.</summary>
    private static void Migrate(DatabaseOptions options, string dataDirectory)
    {
        var provider = new DatabaseProvider(Options.Create(options), Options.Create(new InstanceOptions { DataDirectory = dataDirectory }));
        using var db = provider.CreateDbContext();
        db.Database.Migrate();
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
