using System.Security.Cryptography;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>skopeo and podman, the way users run them against the proxy.</summary>
public static class PullClients
{
    public static string ImageReference(ProxyServer proxy, string image, string group = "e2e") =>
        $"{proxy.Host}/{group}/dependency_proxy/containers/{image}";

    /// <summary><c>skopeo copy docker://… dir:OUT</c>; skopeo checks every blob's digest as it copies.</summary>
    public static async Task<CommandResult> SkopeoCopyAsync(string source, string destinationDirectory, bool all = false, string? authFile = null)
    {
        List<string> arguments = ["copy", "--src-tls-verify=false", "--retry-times", "0"];
        if (authFile is not null)
        {
            arguments.AddRange(["--src-authfile", authFile]);
        }

        if (all)
        {
            arguments.Add("--all");
        }

        // skopeo creates the directory, but not its parents.
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destinationDirectory))!);
        arguments.AddRange([$"docker://{source}", $"dir:{destinationDirectory}"]);
        return await Processes.RunAsync("skopeo", arguments, TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// <c>podman pull</c> into its own storage; returns the digests podman recorded for the image's repository
    /// (<c>RepoDigests</c>: one image pulled under several names or platforms has several).
    /// </summary>
    public static async Task<(CommandResult Pull, string RepoDigests)> PodmanPullAsync(string reference, string storageDirectory,
        string? authFile = null, string? registriesConf = null)
    {
        // podman refuses a runroot longer than 50 characters, so it gets a short path of its own.
        var runRoot = Path.Combine("/tmp", "pr-" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(storageDirectory)))[..12]);
        string[] storage = ["--root", Path.Combine(storageDirectory, "root"), "--runroot", runRoot, "--storage-driver", "vfs"];
        string[] auth = authFile is null ? [] : ["--authfile", authFile];
        // With a registries.conf of its own, podman resolves short names and mirrors the way a configured machine does.
        var environment = registriesConf is null ? null : new Dictionary<string, string> { ["CONTAINERS_REGISTRIES_CONF"] = registriesConf };
        var pull = await Processes.RunAsync("podman", [.. storage, "pull", "--tls-verify=false", .. auth, reference], TimeSpan.FromMinutes(5),
            environment);
        if (pull.ExitCode != 0)
        {
            return (pull, "");
        }

        var inspect = await Processes.RunAsync("podman", [.. storage, "image", "inspect", "--format", "{{.RepoDigests}}", reference]);
        return (pull, inspect.EnsureSuccess("podman image inspect").Output.Trim());
    }

    /// <summary>Every blob file skopeo wrote is named by its hex digest; rehash them all.</summary>
    public static void AssertBlobsMatchTheirNames(string directory)
    {
        var blobs = Directory.GetFiles(directory).Where(f => Path.GetFileName(f).Length == 64).ToList();
        Assert.NotEmpty(blobs);
        foreach (var blob in blobs)
        {
            using var stream = File.OpenRead(blob);
            Assert.Equal(Path.GetFileName(blob), Convert.ToHexStringLower(SHA256.HashData(stream)));
        }
    }

    public static string Sha256Of(string file)
    {
        using var stream = File.OpenRead(file);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary><c>skopeo login</c> or <c>podman login</c> into a private auth file, as <c>docker login</c> does.</summary>
    public static Task<CommandResult> LoginAsync(string tool, string host, string username, string secret, string authFile) =>
        Processes.RunAsync(tool, ["login", "--tls-verify=false", "--authfile", authFile, "--username", username, "--password", secret, host]);
}
