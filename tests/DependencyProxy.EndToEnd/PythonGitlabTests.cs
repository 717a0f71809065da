using System.Diagnostics;
using DependencyProxy.EndToEnd.Infrastructure;
using Xunit.Abstractions;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// The REST API driven by python-gitlab 3.12 (Debian's <c>python3-gitlab</c>), the client GitLab users' scripts use,
/// against a real server: <c>PythonGitlab/gitlab_api_suite.py</c> checks every answer and exits non-zero on the first
/// wrong one. python-gitlab parses only bodies typed exactly <c>application/json</c>, follows <c>Link: rel="next"</c>
/// for pages, and maps statuses to its exception classes, so this is where a GitLab-shape mistake shows.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class PythonGitlabTests(UpstreamFixture upstream, ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task PythonGitlab_CreatesReadsUpdatesAndDeletes_EverythingAGitLabScriptWould()
    {
        await using var proxy = await upstream.StartProxyAsync();
        var informational = FileVersionInfo.GetVersionInfo(ProxyServer.ServerDll).ProductVersion!;
        var version = informational.Split('+')[0];
        var revision = informational.Contains('+') ? informational.Split('+')[1] : "unknown";
        var script = Path.Combine(Processes.RepositoryRoot(), "tests", "DependencyProxy.EndToEnd", "PythonGitlab", "gitlab_api_suite.py");

        var result = await Processes.RunAsync(Python, [script, $"http://{proxy.Host}", ProxyServer.RootToken, version, revision, upstream.Registry.Url],
            TimeSpan.FromMinutes(3));
        output.WriteLine(result.Output);
        Assert.True(result.ExitCode == 0, $"python-gitlab suite failed (exit {result.ExitCode}):\n{result.Output}\n--- server log ---\n{Tail(proxy.Log())}");
        Assert.Contains("steps passed", result.Output);
    }

    private static string Tail(string log) => log.Length <= 4000 ? log : log[^4000..];
}
