using System.Diagnostics;
using System.Runtime.Versioning;
using DependencyProxy.EndToEnd.Infrastructure;
using Xunit.Abstractions;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// The release as people install it (scripts/release.sh): the x64 binary unpacked and started from <c>/</c> by a user
/// that is not root, the OCI image loaded into podman and run, the systemd unit through systemd's own checks. Each
/// serves a real pull from the test upstream (CNCF Distribution with token auth) to skopeo.
/// </summary>
[SupportedOSPlatform("linux")]
[Collection(UpstreamCollection.Name)]
public sealed partial class ReleaseTests(UpstreamFixture upstream, ReleaseArtifacts release, ITestOutputHelper output) : IClassFixture<ReleaseArtifacts>
{
    /// <summary>No account has it: the process gets no home, no groups, no capabilities, as a dedicated service user.</summary>
    private const int ServiceUid = 64_917;

    [Fact]
    public async Task Binary_UnpackedAndStartedFromRoot_AsAUserThatIsNotRoot_ServesAPull()
    {
        output.WriteLine($"release.sh took {release.BuildTime} in this run (zero: the test command had built it)");
        var binary = Path.Combine(release.Unpacked, "dependency-proxy");
        Assert.True(File.GetUnixFileMode(binary).HasFlag(UnixFileMode.OtherExecute), "dependency-proxy is not executable");
        foreach (var shipped in new[] { "libe_sqlite3.so", "appsettings.json", "appsettings.example.json", "dependency-proxy.service", "dependency-proxy.sysusers", "Containerfile" })
        {
            Assert.True(File.Exists(Path.Combine(release.Unpacked, shipped)), $"the tarball lacks {shipped}");
        }

        var notices = await File.ReadAllTextAsync(Path.Combine(release.Unpacked, "THIRD-PARTY-NOTICES.md"));
        Assert.Matches(@"\| Microsoft\.EntityFrameworkCore \| [0-9.]+ \| MIT \|", notices);
        Assert.Matches(@"\| Microsoft\.NETCore\.App\.Runtime\.linux-x64 \| [0-9.]+ \| MIT \|", notices);
        Assert.Matches(@"\| SQLitePCLRaw\.lib\.e_sqlite3 \| [0-9.]+ \| Apache-2\.0 \|", notices);
        // Only what the program carries: the design-time tools for `dotnet ef` (PrivateAssets="all") are not in it.
        Assert.DoesNotContain("Humanizer", notices);
        Assert.DoesNotContain("Microsoft.CodeAnalysis", notices);
        Assert.Contains("## Licence of ", notices);

        var folder = release.NewFolder("binary");
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(data);
        (await Processes.RunAsync("chown", [$"{ServiceUid}:{ServiceUid}", data])).EnsureSuccess("chown");
        var asServiceUser = $"setpriv --reuid={ServiceUid} --regid={ServiceUid} --clear-groups --inh-caps=-all env HOME=/nonexistent";
        var watch = Stopwatch.StartNew();
        await using var proxy = new ProxyServer(data, upstream.Registry.Url)
        {
            Launcher = $"{asServiceUser} '{binary}'",
            WorkingDirectory = "/",
        };
        await proxy.StartAsync();
        output.WriteLine($"first answer from / after {watch.Elapsed}");
        Assert.Equal($"{ServiceUid}", ProcessUid(proxy.ProcessId));

        // The installed command, as the same user, on the same data directory.
        var cli = await Processes.RunAsync("bash", ["-c", $"cd / && exec {asServiceUser} '{binary}' \"$@\"", "cli",
            "groups", "create", "e2e", "--visibility", "public", .. proxy.ConfigurationArguments]);
        cli.EnsureSuccess("dependency-proxy groups create");
        var pulled = Path.Combine(folder, "pulled");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest"), pulled)).EnsureSuccess("skopeo copy through the binary");
        AssertBlobsMatchTheirNames(pulled);
        Assert.True(File.Exists(Path.Combine(data, "dependency-proxy.db")), "no database in the data directory");
        Assert.Equal($"{ServiceUid}", ProcessUid(proxy.ProcessId));
    }

    /// <summary>
    /// systemd's own checks of the shipped unit, with ExecStart pointed at the unpacked binary (verify wants it to exist).
    /// Both exit 0 on unknown keys and mistakes, so any line they print to stderr fails the test.
    /// </summary>
    [Fact]
    public async Task SystemdUnit_PassesVerifyAndSecurity_WithoutAWarning()
    {
        var unit = await File.ReadAllTextAsync(Path.Combine(release.Unpacked, "dependency-proxy.service"));
        Assert.Contains("ExecStart=/opt/dependency-proxy/dependency-proxy ", unit);
        var folder = release.NewFolder("systemd");
        var copy = Path.Combine(folder, "dependency-proxy.service");
        await File.WriteAllTextAsync(copy, unit.Replace("/opt/dependency-proxy/dependency-proxy", Path.Combine(release.Unpacked, "dependency-proxy")));

        var verify = await Processes.RunAsync("bash", ["-c", "systemd-analyze verify \"$0\" 2>&1", copy]);
        Assert.True(verify.ExitCode == 0 && verify.Output.Trim() == "", $"systemd-analyze verify:\n{verify.Output}");

        var warnings = await Processes.RunAsync("bash", ["-c", "systemd-analyze security --offline=true \"$0\" 2>&1 >/dev/null", copy]);
        Assert.True(warnings.ExitCode == 0 && warnings.Output.Trim() == "", $"systemd-analyze security:\n{warnings.Output}");
        var security = (await Processes.RunAsync("systemd-analyze", ["security", "--offline=true", "--no-pager", copy])).EnsureSuccess("security");
        var overall = security.Output.Split('\n').Single(l => l.Contains("Overall exposure level", StringComparison.Ordinal));
        output.WriteLine(overall);
        Assert.Matches(@"exposure level for dependency-proxy\.service: [0-9.]+ OK", overall);
        foreach (var setting in new[] { "User=dependency-proxy", "StateDirectory=dependency-proxy", "ProtectSystem=strict", "NoNewPrivileges=yes",
                     "Restart=on-failure", "EnvironmentFile=-/etc/dependency-proxy/env", "DependencyProxy__DataDirectory=/var/lib/dependency-proxy" })
        {
            Assert.Contains(setting, unit);
        }

        // The unit's user, as systemd-sysusers makes it from the shipped file (into a scratch root, not this machine's).
        var sysusers = Path.Combine(folder, "root", "etc", "sysusers.d");
        Directory.CreateDirectory(sysusers);
        File.Copy(Path.Combine(release.Unpacked, "dependency-proxy.sysusers"), Path.Combine(sysusers, "dependency-proxy.conf"));
        (await Processes.RunAsync("systemd-sysusers", [$"--root={Path.Combine(folder, "root")}"])).EnsureSuccess("systemd-sysusers");
        var account = File.ReadLines(Path.Combine(folder, "root", "etc", "passwd")).Single(l => l.StartsWith("dependency-proxy:", StringComparison.Ordinal)).Split(':');
        Assert.NotEqual("0", account[2]);
        Assert.Equal(("/var/lib/dependency-proxy", "/usr/sbin/nologin"), (account[5], account[6]));

        // Above what 10,000 connections (the default limit) take: a socket and a file each, and the program's own.
        var limit = int.Parse(unit.Split('\n').Single(l => l.StartsWith("LimitNOFILE=", StringComparison.Ordinal))["LimitNOFILE=".Length..]);
        Assert.True(limit > 2 * 10_000 + 700, $"LimitNOFILE={limit}");
    }

    private static string ProcessUid(int pid) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
}
