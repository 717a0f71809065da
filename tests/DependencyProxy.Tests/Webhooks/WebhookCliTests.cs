using DependencyProxy.Tests.Cli;
using Microsoft.Data.Sqlite;

namespace DependencyProxy.Tests.Webhooks;

/// <summary>A CLI command runs no background writer: the events it caused are written to the outbox before it exits.</summary>
public sealed class WebhookCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task CachePurgeAndCleanupRun_FromTheCommandLine_LeaveTheirEventsInTheOutbox()
    {
        await _cli.CreateInstanceAsync();
        (await _cli.RunAsync("groups", "create", "acme")).AssertSucceeded();
        (await _cli.RunAsync("cache", "purge", "acme")).AssertSucceeded();
        (await _cli.RunAsync("cleanup", "run")).AssertSucceeded();

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_cli.DataDirectory, "dependency-proxy.db")}");
        await connection.OpenAsync();
        await using var query = connection.CreateCommand();
        query.CommandText = """SELECT "Type" FROM "OutboxEvents" ORDER BY "Id" """;
        var types = new List<string>();
        await using (var reader = await query.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                types.Add(reader.GetString(0));
            }
        }

        // cache purge runs the cleaner at once (its run), then cleanup run is another.
        Assert.Equal(["dependency_proxy.cache.purged", "dependency_proxy.cleanup.finished", "dependency_proxy.cleanup.finished"], types);
    }
}
