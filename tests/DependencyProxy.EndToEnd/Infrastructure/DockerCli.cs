namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// Debian's <c>docker</c> CLI talking to one <see cref="DockerEngine"/>, with a private <c>DOCKER_CONFIG</c> (where
/// <c>docker login</c> stores credentials). Another <c>docker</c> earlier on PATH is not the client under test.
/// </summary>
public sealed class DockerCli(string socket, string configDirectory)
{
    private static string Executable => File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";

    public string ConfigDirectory => configDirectory;

    private Dictionary<string, string> Environment() => new()
    {
        ["DOCKER_HOST"] = $"unix://{socket}",
        ["DOCKER_CONFIG"] = configDirectory,
    };

    public Task<CommandResult> RunAsync(params string[] arguments) =>
        Processes.RunAsync(Executable, arguments, TimeSpan.FromMinutes(3), Environment());

    /// <summary><c>docker login</c> with the secret on stdin (<c>--password-stdin</c>, as the CLI recommends); no shell sees it.</summary>
    public async Task<CommandResult> LoginAsync(string host, string username, string secret)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Executable)
        {
            ArgumentList = { "login", "--username", username, "--password-stdin", host },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in Environment())
        {
            start.Environment[key] = value;
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(secret);
        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(cancel.Token);
        return new CommandResult(process.ExitCode, (await stdout) + (await stderr), watch.Elapsed);
    }

    public Task<CommandResult> PullAsync(string reference) => RunAsync("pull", reference);

    /// <summary>
    /// Removes every image from the daemon (shared by the tests of a class), so a test's pull fetches every layer
    /// whatever ran before it: dockerd skips layers it already has, whichever name they came under.
    /// </summary>
    public async Task RemoveAllImagesAsync()
    {
        var ids = (await RunAsync("images", "--all", "--quiet")).EnsureSuccess("docker images").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        if (ids.Length > 0)
        {
            (await RunAsync(["rmi", "--force", .. ids])).EnsureSuccess("docker rmi");
        }
    }

    /// <summary>One field of <c>docker image inspect</c>, e.g. <c>{{.Id}}</c> or <c>{{json .RepoDigests}}</c>.</summary>
    public async Task<string> InspectAsync(string reference, string format) =>
        (await RunAsync("image", "inspect", "--format", format, reference)).EnsureSuccess($"docker image inspect {reference}").Output.Trim();

    /// <summary>What <c>docker login</c> left in <c>config.json</c> (empty when there is none).</summary>
    public string StoredConfig()
    {
        var file = Path.Combine(configDirectory, "config.json");
        return File.Exists(file) ? File.ReadAllText(file) : "";
    }
}
