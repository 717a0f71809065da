using System.CommandLine;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cli;

/// <summary>
/// <c>database copy-to-postgresql</c>: move a single node's metadata from SQLite to PostgreSQL. Like every command it
/// needs an existing instance (its source); it is the only command that creates a database, the empty PostgreSQL target.
/// </summary>
internal static class DatabaseCommands
{
    public static Command Create()
    {
        var connection = new Option<string>("--connection-string")
        {
            Required = true,
            Description = "The target PostgreSQL database (Npgsql form: Host=…;Database=…;Username=…;Password=…); it must be empty.",
        };
        var database = new Command("database", "Move the metadata between databases.");
        database.Subcommands.Add(ProxyCommandLine.Leaf("copy-to-postgresql",
            "Copy every group, user, token and cache entry from this data directory's SQLite database into an empty PostgreSQL " +
            "database. Stop the server first; then start it with --DependencyProxy:Database:Provider=postgresql and the same " +
            "data directory: cached content is served as before.",
            // The source is an existing SQLite instance (like every command's); the target is the one database a command
            // creates: it brings the empty PostgreSQL database to the schema itself (DatabaseCopy).
            services => services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider != DatabaseEngine.Sqlite
                ? "the source must be SQLite: run this without --DependencyProxy:Database:Provider"
                : null,
            async (result, services, ct) =>
            {
                try
                {
                    var copied = await new DatabaseCopy(services.GetRequiredService<IDbContextFactory<ProxyDbContext>>())
                        .ToPostgreSqlAsync(result.GetValue(connection)!,
                            Path.Combine(Path.GetFullPath(services.GetRequiredService<IOptions<InstanceOptions>>().Value.DataDirectory), "keys"), ct);
                    ProxyCommandLine.Out.WriteLine("Copied " + string.Join(", ", copied.Rows.Select(r => $"{r.Value} {r.Key}")) + ".");
                    return 0;
                }
                catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException or ArgumentException)
                {
                    return await ProxyCommandLine.FailAsync(e.Message);
                }
            }, connection));
        return database;
    }
}
