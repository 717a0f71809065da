using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Upgrades: a data directory written by an earlier build (Fixtures/data-0.x, see its README) opens with this one, its
/// migrations applied at start, and serves what it held with the upstream gone: its cached image, its users' tokens and
/// passwords, its groups. A data directory from a newer release is refused with a sentence, untouched.
/// </summary>
public sealed class UpgradeTests : IDisposable
{
    /// <summary>Values the fixture was made with (Fixtures/data-0.x/README.md).</summary>
    private const string RootToken = "dpat-fixture-root-token-0123456789";

    private const string AliceToken = "dpat-R81UGytMknzqk8hsZyv6UQFgqKaxKiYV";
    private const string AlicePassword = "alice password 0.x";
    private const string TinyManifest = "sha256:c9a6fe0ea9f889a7544c376fb096a3e06595aabca91027f397bd398a1b972bfb";

    private readonly string _work = Path.Combine(Path.GetTempPath(), $"dp-upgrade-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    /// <summary>A copy of the fixture, so that the committed one is never written to.</summary>
    private string CopyOfFixture()
    {
        var fixture = Path.Combine(Processes.RepositoryRoot(), "tests", "DependencyProxy.EndToEnd", "Fixtures", "data-0.x", "data");
        var data = Path.Combine(_work, "data");
        foreach (var file in Directory.EnumerateFiles(fixture, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(data, Path.GetRelativePath(fixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return data;
    }

    [Fact]
    public async Task TheDataDirectoryOfAnEarlierBuild_ServesItsCachedImage_AndAcceptsItsTokens_WithTheUpstreamDown()
    {
        var nothingListens = $"http://127.0.0.1:{Processes.FreePort()}";
        await using var proxy = new ProxyServer(CopyOfFixture(), nothingListens);
        await proxy.StartAsync();

        var auth = Path.Combine(_work, "auth.json");
        (await LoginAsync("skopeo", proxy.Host, "alice", AliceToken, auth)).EnsureSuccess("login with the fixture's token");
        var pulled = Path.Combine(_work, "pulled");
        (await SkopeoCopyAsync(ImageReference(proxy, "tiny:latest", "fixture"), pulled, authFile: auth)).EnsureSuccess("pull of the cached image");
        Assert.Equal(TinyManifest, Sha256Of(Path.Combine(pulled, "manifest.json")));
        AssertBlobsMatchTheirNames(pulled);

        var byPassword = Path.Combine(_work, "password.json");
        (await LoginAsync("skopeo", proxy.Host, "alice", AlicePassword, byPassword)).EnsureSuccess("login with the fixture's password");
        Assert.NotEqual(0, (await LoginAsync("skopeo", proxy.Host, "alice", AliceToken[..^1] + "X", Path.Combine(_work, "wrong.json"))).ExitCode);

        using var asRoot = new RestApi(proxy, RootToken);
        var groups = await asRoot.GetAsync("groups");
        Assert.Contains(groups.EnumerateArray(), g => g.GetProperty("full_path").GetString() == "fixture");
        using var asAlice = new RestApi(proxy, AliceToken);
        Assert.Equal("alice", (await asAlice.GetAsync("user")).GetProperty("username").GetString());
        Assert.DoesNotContain("Created a new instance", proxy.Log());
        Assert.Contains("Upgraded the database to this release's schema: applied ", proxy.Log());
    }

    [Fact]
    public async Task ACommandOnTheDataDirectoryOfAnEarlierBuild_IsRefused_AndLeavesItUnchanged()
    {
        var data = CopyOfFixture();
        var database = Path.Combine(data, "dependency-proxy.db");
        var before = Sha256Of(database);
        foreach (var command in new string[][] { ["groups", "list"], ["backup", "create", Path.Combine(_work, "backup")] })
        {
            var run = await Processes.RunAsync("dotnet", [ProxyServer.ServerDll, .. command, $"--DependencyProxy:DataDirectory={data}"], TimeSpan.FromMinutes(1));
            Assert.Equal(1, run.ExitCode);
            Assert.Contains("was written by an earlier release: it lacks ", run.Output);
            Assert.Contains("Commands do not upgrade it", run.Output);
            Assert.DoesNotContain("   at ", run.Output);
            Assert.Equal(before, Sha256Of(database));
        }

        Assert.False(Directory.Exists(Path.Combine(_work, "backup")) && Directory.EnumerateFileSystemEntries(Path.Combine(_work, "backup")).Any());
    }

    [Fact]
    public async Task ADataDirectoryFromANewerRelease_IsRefusedAtStart_WithASentence_AndLeftUnchanged()
    {
        var data = CopyOfFixture();
        var database = Path.Combine(data, "dependency-proxy.db");
        // Python's sqlite3 module (Debian's python3 is always there; the sqlite3 shell may not be).
        (await Processes.RunAsync("/usr/bin/python3", ["-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO __EFMigrationsHistory VALUES ('29991231000000_FromTheFuture', '99.0.0')\"); c.commit()",
            database])).EnsureSuccess("a migration from the future");
        var before = Sha256Of(database);

        var start = await Processes.RunAsync("dotnet", [ProxyServer.ServerDll, "--urls", $"http://127.0.0.1:{Processes.FreePort()}",
            $"--DependencyProxy:DataDirectory={data}"], TimeSpan.FromMinutes(1));

        Assert.Equal(1, start.ExitCode);
        Assert.Contains("The server did not start: the database was written by a newer release", start.Output);
        Assert.Contains("29991231000000_FromTheFuture", start.Output);
        // One sentence, not the host's "Hosting failed to start" and a stack trace before it (outside review).
        Assert.DoesNotContain("   at ", start.Output);
        Assert.DoesNotContain("Hosting failed", start.Output);
        Assert.Equal(before, Sha256Of(database));
    }
}
