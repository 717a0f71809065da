using DependencyProxy.Hosting;
using DependencyProxy.Tests.Cli;
using Microsoft.Data.Sqlite;

namespace DependencyProxy.Tests.Data;

/// <summary>
/// A data directory a newer release has migrated is refused by this build, the server and its commands alike, before
/// anything is written: the newer release's rows would be read and written by code that does not know their schema.
/// </summary>
public sealed class NewerReleaseTests : IDisposable
{
    private const string FutureMigration = "29991231000000_FromTheFuture";

    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Database => Path.Combine(_cli.DataDirectory, "dependency-proxy.db");

    private async Task<long> ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L);
    }

    [Fact]
    public async Task ADatabaseWithAMigrationThisBuildDoesNotKnow_IsRefusedByCommandsAndTheServer_AndLeftUnchanged()
    {
        await _cli.CreateInstanceAsync();
        await ExecuteAsync($"INSERT INTO \"__EFMigrationsHistory\" VALUES ('{FutureMigration}', '99.0.0')");
        var migrations = await ExecuteAsync("SELECT COUNT(*) FROM \"__EFMigrationsHistory\"");

        var command = await _cli.RunAsync("groups", "create", "acme");
        Assert.Equal(1, command.ExitCode);
        Assert.Contains($"the database was written by a newer release: it has 1 migration(s) this build does not know ({FutureMigration})", command.Error);
        Assert.Contains("Run that release or a newer one", command.Error);

        var server = await ProxyApp.RunAsync(["--urls", "http://127.0.0.1:0", .. _cli.Configuration]).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(1, server);

        Assert.Equal(migrations, await ExecuteAsync("SELECT COUNT(*) FROM \"__EFMigrationsHistory\""));
        Assert.Equal(0, await ExecuteAsync("SELECT COUNT(*) FROM \"Groups\""));
    }

    [Fact]
    public async Task ADatabaseOfThisRelease_OpensAsBefore()
    {
        await _cli.CreateInstanceAsync();
        (await _cli.RunAsync("groups", "create", "acme")).AssertSucceeded();
        Assert.Equal(1, await ExecuteAsync("SELECT COUNT(*) FROM \"Groups\""));
    }
}
