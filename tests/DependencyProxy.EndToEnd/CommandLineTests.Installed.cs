using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DependencyProxy.EndToEnd.Infrastructure;

namespace DependencyProxy.EndToEnd;

/// <summary>The program as it runs where it is installed: its version, and its configuration files wherever it starts.</summary>
public sealed partial class CommandLineTests
{
    [Fact]
    public async Task Version_PrintsTheProjectsVersionAndTheCommitTheBuildRecorded_AndStartsNothing()
    {
        var run = await Processes.RunAsync("bash", ["-c", $"cd / && exec dotnet '{ProxyServer.ServerDll}' --version"]);

        Assert.Equal(0, run.ExitCode);
        var project = XDocument.Load(Path.Combine(Processes.RepositoryRoot(), "src", "DependencyProxy", "DependencyProxy.csproj"));
        var version = project.Descendants("Version").Single().Value;
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", version);
        // The same pair the SDK wrote into the assembly and GET /api/v4/version answers.
        var informational = FileVersionInfo.GetVersionInfo(ProxyServer.ServerDll).ProductVersion!;
        var commit = informational.Contains('+') ? informational[(informational.IndexOf('+') + 1)..] : null;
        Assert.Equal($"dependency-proxy {version} (commit {commit ?? "unknown: built without git"})", run.Output.Trim());
        if (commit is not null)
        {
            Assert.Matches(new Regex("^[0-9a-f]{40}$"), commit);
        }

        Assert.DoesNotContain("Now listening", run.Output);
    }

    /// <summary>
    /// From <c>/</c>, as a service manager starts it: the shipped appsettings.json beside the binary is read, then the system
    /// file (here named by DEPENDENCY_PROXY_CONFIG_FILE), then environment, then command line, each winning over the one
    /// before. Commands say where they looked for the instance, which shows the data directory each source chose.
    /// </summary>
    [Fact]
    public async Task ConfigurationFiles_AreReadWhereverItStarts_SystemFileThenEnvironmentThenCommandLine()
    {
        var systemFile = Path.Combine(_work, "appsettings.json");
        await File.WriteAllTextAsync(systemFile, $$"""{ "DependencyProxy": { "DataDirectory": "{{_work}}/from-file" } }""");
        Task<CommandResult> GroupsList(Dictionary<string, string> environment, params string[] switches) =>
            Processes.RunAsync("bash", ["-c", $"cd / && exec dotnet '{ProxyServer.ServerDll}' groups list {string.Join(' ', switches)}"], null, environment);

        // The shipped file's ./data, from the working directory /.
        var shipped = await GroupsList([]);
        Assert.Contains("no instance in /data ", shipped.Output);

        var file = await GroupsList(new() { ["DEPENDENCY_PROXY_CONFIG_FILE"] = systemFile });
        Assert.Contains($"no instance in {_work}/from-file ", file.Output);

        var environment = await GroupsList(new() { ["DEPENDENCY_PROXY_CONFIG_FILE"] = systemFile, ["DependencyProxy__DataDirectory"] = $"{_work}/from-env" });
        Assert.Contains($"no instance in {_work}/from-env ", environment.Output);

        var commandLine = await GroupsList(new() { ["DEPENDENCY_PROXY_CONFIG_FILE"] = systemFile, ["DependencyProxy__DataDirectory"] = $"{_work}/from-env" },
            $"--DependencyProxy:DataDirectory={_work}/from-switch");
        Assert.Contains($"no instance in {_work}/from-switch ", commandLine.Output);
        Assert.False(Directory.Exists("/data/dependency-proxy.db"));
    }

    [Theory]
    [InlineData("missing", "names", "which does not exist")]
    [InlineData("""{ "DependencyProxy": { "DataDirectory": """, "Failed to load configuration from file", "(line 1, character ")] // the parser's line and position, counted from 1
    [InlineData("[1, 2, 3]", "Failed to load configuration from file", "")]
    public async Task AConfigurationFileThatCannotBeRead_StopsTheServerAndCommands_NamingIt(string content, string reason, string more)
    {
        var systemFile = Path.Combine(_work, "etc", "appsettings.json");
        if (content != "missing")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(systemFile)!);
            await File.WriteAllTextAsync(systemFile, content);
        }

        var environment = new Dictionary<string, string> { ["DEPENDENCY_PROXY_CONFIG_FILE"] = systemFile };
        var server = await Processes.RunAsync("dotnet", [ProxyServer.ServerDll, "--urls", $"http://127.0.0.1:{Processes.FreePort()}",
            $"--DependencyProxy:DataDirectory={_work}/data"], TimeSpan.FromMinutes(1), environment);
        var command = await Processes.RunAsync("dotnet", [ProxyServer.ServerDll, "groups", "list", $"--DependencyProxy:DataDirectory={_work}/data"],
            TimeSpan.FromMinutes(1), environment);

        foreach (var run in new[] { server, command })
        {
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(reason, run.Output);
            Assert.Contains(more, run.Output);
            Assert.Contains(systemFile, run.Output);
            Assert.DoesNotContain("   at ", run.Output);
        }

        Assert.False(Directory.Exists(Path.Combine(_work, "data")));
    }
}
