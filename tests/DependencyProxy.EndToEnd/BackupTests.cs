using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// <c>backup create</c> on the real server's data directory while real clients pull through it, <c>backup restore</c>
/// into another directory, and a new server there with its upstream gone: the groups, users and tokens made before the
/// backup work, and what was cached pulls. The command's refusals are checked on the real process too.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class BackupTests(UpstreamFixture upstream)
{
    private static Task<CommandResult> CliAsync(string workingDirectory, params string[] arguments) =>
        Processes.RunAsync("bash", ["-c", $"cd \"$0\" && exec dotnet \"$1\" \"${{@:2}}\"", workingDirectory, ProxyServer.ServerDll, .. arguments],
            TimeSpan.FromMinutes(3));

    [Fact]
    public async Task ABackupTakenDuringPulls_RestoredElsewhere_ServesItsImagesWithTheUpstreamDown_AndItsTokensWork()
    {
        // 10 MB/s from the upstream: the 110 MB layer is still arriving while the backup runs.
        await using var relay = new ThrottledRelay(upstream.Registry.Port, 10 * 1024 * 1024);
        var data = Path.Combine(upstream.WorkDirectory, $"backup-{Guid.NewGuid():N}", "data");
        Directory.CreateDirectory(data);
        await using var proxy = new ProxyServer(data, relay.Url);
        await proxy.StartAsync();
        (await proxy.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");
        var root = Path.Combine(proxy.DataDirectory, "..", "backup work ünï");
        Directory.CreateDirectory(root);
        using var asRoot = new RestApi(proxy, ProxyServer.RootToken);
        await asRoot.PostAsync("groups", new { name = "Vault", path = "vault", visibility = "private" });
        var alice = await asRoot.PostAsync("users", new { username = "alice", email = "alice@example.com", name = "Alice", password = "alice-password-1" });
        await asRoot.PostAsync("groups/vault/members", new { user_id = alice.GetProperty("id").GetInt64(), access_level = 30 });
        var token = (await asRoot.PostAsync($"users/{alice.GetProperty("id").GetInt64()}/personal_access_tokens",
            new { name = "laptop", scopes = new[] { "read_registry", "read_api" } })).GetProperty("token").GetString()!;
        var auth = Path.Combine(root, "auth.json");
        (await LoginAsync("skopeo", proxy.Host, "alice", token, auth)).EnsureSuccess("login");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Tiny}:latest", "vault"), Path.Combine(root, "warm"), authFile: auth)).EnsureSuccess("warm");
        (await SkopeoCopyAsync(ImageReference(proxy, $"{TestImages.Namespaced}:1.0"), Path.Combine(root, "warm-2"))).EnsureSuccess("warm");

        // Pulls of uncached images (a 110 MB layer among them) and of a cached one run while the backup is taken.
        var pulls = new[] { $"{TestImages.Big}:latest", $"{TestImages.MultiArchIndex}:latest", $"{TestImages.Tiny}:latest", $"{TestImages.Namespaced}:1.0" }
            .Select((image, i) => SkopeoCopyAsync(ImageReference(proxy, image), Path.Combine(root, $"during-{i}"), all: image.StartsWith(TestImages.MultiArchIndex)))
            .ToList();
        await Task.Delay(300);
        var backup = Path.Combine(root, "backup ünï 1");
        var created = await proxy.RunCliAsync("backup", "create", backup);
        Assert.False(pulls[0].IsCompleted, "the big pull ended before the backup did: nothing ran concurrently");
        foreach (var pull in pulls)
        {
            (await pull).EnsureSuccess("pull during the backup");
        }

        created.EnsureSuccess("backup create");
        Assert.Contains("hard-linked", created.Output);
        Assert.True(File.Exists(Path.Combine(backup, "backup-complete")));

        // Restore into a data directory named relative to the working directory, then start a server there.
        (await CliAsync(root, "backup", "restore", "backup ünï 1", "--DependencyProxy:DataDirectory=restored data")).EnsureSuccess("restore");
        var restored = Path.GetFullPath(Path.Combine(root, "restored data"));
        await using var second = new ProxyServer(restored, $"http://127.0.0.1:{Processes.FreePort()}");
        await second.StartAsync();
        Assert.DoesNotContain("Created a new instance", second.Log());

        var secondAuth = Path.Combine(root, "auth-2.json");
        (await LoginAsync("skopeo", second.Host, "alice", token, secondAuth)).EnsureSuccess("login with the token made before the backup");
        var after = Path.Combine(root, "after");
        (await SkopeoCopyAsync(ImageReference(second, $"{TestImages.Tiny}:latest", "vault"), after, authFile: secondAuth)).EnsureSuccess("pull, upstream down");
        AssertBlobsMatchTheirNames(after);
        Assert.NotEqual(0, (await SkopeoCopyAsync(ImageReference(second, $"{TestImages.Tiny}:latest", "vault"), Path.Combine(root, "anonymous"))).ExitCode);
        using var asAlice = new RestApi(second, token);
        Assert.Equal("alice", (await asAlice.GetAsync("user")).GetProperty("username").GetString());
        using var asSecondRoot = new RestApi(second, ProxyServer.RootToken);
        var groups = (await asSecondRoot.GetAsync("groups")).EnumerateArray().Select(g => g.GetProperty("full_path").GetString()).ToList();
        Assert.Contains("vault", groups);
        Assert.Contains("e2e", groups);

        // What was cached before the backup pulls with the upstream down. An image whose pull was still under way may
        // lack layers that arrived after the snapshot: it is fetched again, and with the upstream down it fails cleanly.
        foreach (var image in new[] { $"{TestImages.Tiny}:latest", $"{TestImages.Namespaced}:1.0" })
        {
            var into = Path.Combine(root, $"restored-{image.Replace('/', '-')}");
            (await SkopeoCopyAsync(ImageReference(second, image), into)).EnsureSuccess($"restored {image}, upstream down");
            AssertBlobsMatchTheirNames(into);
        }

        foreach (var image in new[] { $"{TestImages.Big}:latest", $"{TestImages.MultiArchIndex}:latest" })
        {
            var into = Path.Combine(root, $"restored-{image.Replace('/', '-')}");
            var pull = await SkopeoCopyAsync(ImageReference(second, image), into, all: image.StartsWith(TestImages.MultiArchIndex));
            if (pull.ExitCode == 0)
            {
                AssertBlobsMatchTheirNames(into);
            }
            else
            {
                Assert.Matches("502|503|504", pull.Output);
            }
        }

        // Refused on the real process: a data directory in use, a tampered content file, a backup without its marker.
        var busy = await proxy.RunCliAsync("backup", "restore", backup);
        Assert.Equal(1, busy.ExitCode);
        Assert.Contains("is not empty", busy.Output);
        var layer = Directory.EnumerateFiles(Path.Combine(backup, "content"), "*", SearchOption.AllDirectories).First();
        File.Delete(layer); // replaced, not written through: the file is a hard link to the live data directory's
        await File.WriteAllTextAsync(layer, "tampered");
        var tampered = await CliAsync(root, "backup", "restore", "backup ünï 1", "--DependencyProxy:DataDirectory=tampered");
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("does not match its digest", tampered.Output);
        Assert.False(Directory.Exists(Path.Combine(root, "tampered")));
        File.Delete(Path.Combine(backup, "backup-complete"));
        var unmarked = await CliAsync(root, "backup", "restore", backup, "--DependencyProxy:DataDirectory=unmarked");
        Assert.Equal(1, unmarked.ExitCode);
        Assert.Contains("is not a complete backup: it has no backup-complete", unmarked.Output);
    }
}
