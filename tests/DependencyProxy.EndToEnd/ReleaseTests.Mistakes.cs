using DependencyProxy.EndToEnd.Infrastructure;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// What an operator gets wrong when installing the binary by hand, each ending the start with one sentence that names
/// the file and the fix (outside review, issue 17): before, each was an unhandled exception's stack trace.
/// </summary>
public sealed partial class ReleaseTests
{
    [Fact]
    public async Task Binary_AsAUserWhoMayNotWriteOrRead_OrWithoutItsSqliteLibrary_SaysWhatIsWrong()
    {
        var folder = release.NewFolder("mistakes");
        var binary = Path.Combine(release.Unpacked, "dependency-proxy");
        var asServiceUser = $"setpriv --reuid={ServiceUid} --regid={ServiceUid} --clear-groups --inh-caps=-all env HOME=/nonexistent";
        string[] port = ["--urls", $"http://127.0.0.1:{Processes.FreePort()}"];

        // A data directory owned by root, as one made by hand with sudo mkdir.
        var rootOwned = Path.Combine(folder, "root-owned");
        Directory.CreateDirectory(rootOwned);
        var unwritable = await Processes.RunAsync("bash", ["-c", $"cd / && exec {asServiceUser} '{binary}' \"$@\"", "start",
            .. port, $"--DependencyProxy:DataDirectory={rootOwned}/data"], TimeSpan.FromMinutes(1));
        AssertOneSentence(unwritable, "must be able to write the data directory");

        // A configuration file made private to root (chmod 600) to keep a secret in it.
        var configuration = Path.Combine(folder, "appsettings.json");
        await File.WriteAllTextAsync(configuration, "{}");
        File.SetUnixFileMode(configuration, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var unreadable = await Processes.RunAsync("bash", ["-c", $"cd / && exec {asServiceUser} env DEPENDENCY_PROXY_CONFIG_FILE='{configuration}' '{binary}' \"$@\"",
            "start", .. port, $"--DependencyProxy:DataDirectory={folder}/never"], TimeSpan.FromMinutes(1));
        AssertOneSentence(unreadable, $"the configuration file {configuration} cannot be read by the user");

        // The program copied on its own, without the native SQLite library shipped beside it.
        var alone = Path.Combine(folder, "alone");
        Directory.CreateDirectory(alone);
        File.Copy(binary, Path.Combine(alone, "dependency-proxy"));
        File.SetUnixFileMode(Path.Combine(alone, "dependency-proxy"), File.GetUnixFileMode(binary));
        var withoutSqlite = await Processes.RunAsync(Path.Combine(alone, "dependency-proxy"), [.. port, $"--DependencyProxy:DataDirectory={alone}/data"],
            TimeSpan.FromMinutes(1));
        AssertOneSentence(withoutSqlite, "libe_sqlite3.so was not found");

        // Listening addresses are checked before anything is created (third outside review of issue 20, F19 and N1): each
        // of these was an unhandled exception (exit 134) after the instance was made and root's password printed.
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var held = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        var free = Processes.FreePort();
        foreach (var (urls, reason) in new[]
        {
            ($"127.0.0.1:{free}", "is no address to listen on: write the scheme, host and port"),
            ($"http://127.0.0.1:99999", "is no address to listen on"),
            ($" http://127.0.0.1:{free} ", "has spaces around it"),
            ($"https://127.0.0.1:{free}", "listens with https, but no certificate is configured"),
            ($"http://127.0.0.1:{held}", $"the port {held} is taken on that address. Another program"),
            ($"http://127.0.0.1:{free};http://+:{held}", $"'http://+:{held}': the port {held} is taken"),
        })
        {
            var data = Path.Combine(folder, $"listen-{Guid.NewGuid():N}", "data");
            var run = await Processes.RunAsync(binary, ["--urls", urls, $"--DependencyProxy:DataDirectory={data}"], TimeSpan.FromMinutes(1));
            AssertOneSentence(run, reason);
            Assert.DoesNotContain("Created a new instance", run.Output);
            Assert.False(File.Exists(Path.Combine(data, "dependency-proxy.db")), urls);
        }
    }

    private static void AssertOneSentence(CommandResult run, string reason)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("The server did not start: ", run.Output);
        Assert.Contains(reason, run.Output);
        Assert.DoesNotContain("   at ", run.Output);
        Assert.DoesNotContain("Unhandled exception", run.Output);
    }
}
