namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>A throwaway PostgreSQL for one test, started and stopped by scripts/postgres.sh (Debian's postgresql).</summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private static readonly string Script = Path.Combine(Processes.RepositoryRoot(), "scripts", "postgres.sh");

    private readonly string _directory;

    private PostgresCluster(string directory, string connectionString)
    {
        _directory = directory;
        ConnectionString = connectionString;
    }

    /// <summary>Npgsql connection string to the cluster's <c>postgres</c> database.</summary>
    public string ConnectionString { get; }

    /// <summary>The server settings that put the proxy's metadata in this cluster.</summary>
    public string[] ProxyArguments =>
        ["--DependencyProxy:Database:Provider=postgresql", $"--DependencyProxy:Database:ConnectionString={ConnectionString}"];

    public static async Task<PostgresCluster> StartAsync(string directory)
    {
        var started = (await Processes.RunAsync("bash", [Script, "start", directory])).EnsureSuccess("start PostgreSQL");
        return new PostgresCluster(directory, started.Output.Trim().Split('\n')[^1]);
    }

    /// <summary>Runs one query with psql and returns its rows, one per line, fields separated by '|'.</summary>
    public async Task<string[]> QueryAsync(string sql)
    {
        var settings = ConnectionString.Split(';').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        var conninfo = $"host={settings["Host"]} port={settings["Port"]} user={settings["Username"]} dbname={settings["Database"]}";
        var result = (await Processes.RunAsync("psql", [conninfo, "-tAc", sql])).EnsureSuccess("psql");
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public async ValueTask DisposeAsync() => await Processes.RunAsync("bash", [Script, "stop", _directory]);
}
