using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;

namespace DependencyProxy.EndToEnd;

/// <summary>The built program as an operator runs it: help, mistakes, a piped password, and where <c>dotnet run</c> keeps data.</summary>
public sealed partial class CommandLineTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"dp-e2e-cli-{Guid.NewGuid():N}");

    public CommandLineTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>Runs a shell line in the scratch directory, so what it creates there can be seen.</summary>
    private Task<CommandResult> ShellAsync(string line) => Processes.RunAsync("bash", ["-c", $"cd '{_work}' && {line}"]);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_ExitsZero_ListsCommandsAndServerOptions_AndLeavesNoDataBehind(string word)
    {
        var run = await ShellAsync($"dotnet '{ProxyServer.ServerDll}' {word}");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("groups", run.Output);
        Assert.Contains("tokens", run.Output);
        Assert.Contains("--urls", run.Output);
        Assert.DoesNotContain("Now listening", run.Output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work));
    }

    [Fact]
    public async Task UnknownOptionsAndBadValues_ExitTwo_WithASentence()
    {
        var bogus = await ShellAsync($"dotnet '{ProxyServer.ServerDll}' --bogus");
        Assert.Equal(2, bogus.ExitCode);
        Assert.Contains("error: unknown option --bogus", bogus.Output);

        var ttl = await ShellAsync($"dotnet '{ProxyServer.ServerDll}' cache policy acme --ttl soon");
        Assert.Equal(2, ttl.ExitCode);
        Assert.Contains("--ttl must be a whole number of days from 1 to 3650, not 'soon'", ttl.Output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work));
    }

    [Fact]
    public async Task SetPassword_FromAPipe_ChangesRootsPassword_ForTheRunningServer()
    {
        var data = Directory.CreateDirectory(Path.Combine(_work, "data")).FullName;
        await using var proxy = new ProxyServer(data, "http://127.0.0.1:9");
        await proxy.StartAsync();
        var configuration = string.Join(' ', proxy.ConfigurationArguments.Select(a => $"'{a}'"));

        var unknown = await ShellAsync($"echo 'x' | dotnet '{ProxyServer.ServerDll}' users set-password bob {configuration}");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("error: no such user 'bob'", unknown.Output);

        var differs = await ShellAsync($"printf 'piped password 123\\npiped password 321\\n' | dotnet '{ProxyServer.ServerDll}' users set-password root {configuration}");
        Assert.Equal(1, differs.ExitCode);
        Assert.Contains("error: the passwords do not match; the password was not changed", differs.Output);

        var changed = await ShellAsync($"printf 'piped password 123\\npiped password 123\\n' | dotnet '{ProxyServer.ServerDll}' users set-password root {configuration}");
        Assert.Equal(0, changed.ExitCode);
        Assert.Contains("Password changed for root.", changed.Output);

        using var http = new HttpClient { BaseAddress = new Uri($"http://{proxy.Host}") };
        using var login = new HttpRequestMessage(HttpMethod.Get, "/jwt/auth?service=dependency_proxy");
        login.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("root:piped password 123")));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(login)).StatusCode);

        var users = await ShellAsync($"dotnet '{ProxyServer.ServerDll}' users list --json {configuration} 2>/dev/null");
        Assert.Equal("root", JsonDocument.Parse(users.EnsureSuccess("users list").Output).RootElement[0].GetProperty("username").GetString());
    }

    /// <summary>
    /// The reviewer's typo: a command on a data directory with no instance refuses, naming the full path, and creates
    /// nothing there (no database, no root password for a later command to print).
    /// </summary>
    [Fact]
    public async Task ACommand_OnAMistypedDataDirectory_RefusesNamingItsFullPath_AndCreatesNothing()
    {
        var run = await ShellAsync($"dotnet '{ProxyServer.ServerDll}' groups list --DependencyProxy:DataDirectory=typo");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"error: no instance in {Path.Combine(_work, "typo")} (no database there): start the server once to create it, " +
            "or check --DependencyProxy:DataDirectory", run.Output);
        var users = await ShellAsync($"dotnet '{ProxyServer.ServerDll}' users list --DependencyProxy:DataDirectory=typo");
        Assert.Equal(1, users.ExitCode);
        Assert.DoesNotContain("Created a new instance", users.Output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work));
    }

    /// <summary>The README's first command, run from a directory of one's own: the data lands in <c>./data</c> there, and
    /// the first start says so with the full path.</summary>
    [Fact]
    public async Task DotnetRun_KeepsDataInTheDirectoryItWasTypedIn_AndSaysSo()
    {
        var port = Processes.FreePort();
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var project = Path.Combine(Processes.RepositoryRoot(), "src", "DependencyProxy");
        var log = Path.Combine(_work, "run.log");
        var start = new System.Diagnostics.ProcessStartInfo("bash",
            ["-c", $"cd '{_work}' && exec dotnet run -c {configuration} --no-build --project '{project}' -- --urls http://127.0.0.1:{port} > '{log}' 2>&1"]);
        using var server = System.Diagnostics.Process.Start(start)!;
        try
        {
            await Processes.WaitForHttpAsync($"http://127.0.0.1:{port}/v2/", () => !server.HasExited, TimeSpan.FromSeconds(60));
            Assert.True(File.Exists(Path.Combine(_work, "data", "dependency-proxy.db")));
            Assert.Contains($"Created a new instance in {Path.Combine(_work, "data")}", await File.ReadAllTextAsync(log));
        }
        finally
        {
            Processes.Kill(server);
        }
    }
}
