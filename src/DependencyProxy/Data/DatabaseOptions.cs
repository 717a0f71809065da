using System.ComponentModel;
using DependencyProxy.Configuration;

namespace DependencyProxy.Data;

/// <summary>The database engines, spelled in configuration as <c>sqlite</c> and <c>postgresql</c> (any case).</summary>
[TypeConverter(typeof(NamedChoiceConverter<DatabaseEngine>))]
internal enum DatabaseEngine
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// Where the metadata lives (<c>DependencyProxy:Database</c>): SQLite in the data directory (one node), or PostgreSQL
/// (several nodes share it).
/// </summary>
internal sealed class DatabaseOptions
{
    public const string Section = OptionsSections.Root + ":Database";

    public DatabaseEngine Provider { get; set; } = DatabaseEngine.Sqlite;

    /// <summary>Npgsql connection string for PostgreSQL; SQLite always uses <c>&lt;data&gt;/dependency-proxy.db</c>.</summary>
    public string? ConnectionString { get; set; }

    internal static IEnumerable<string> Validate(DatabaseOptions options)
    {
        if (!Enum.IsDefined(options.Provider))
        {
            yield return $"{Section}:Provider must be {NamedChoiceConverter<DatabaseEngine>.Describe()}.";
        }
        else if (options.Provider == DatabaseEngine.PostgreSql && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            yield return $"{Section}:ConnectionString is required with the postgresql provider (e.g. Host=db;Database=proxy;Username=proxy;Password=…).";
        }
    }
}
