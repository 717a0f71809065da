using System.Text.Json;
using DependencyProxy.Cli;

namespace DependencyProxy.Tests.Cli;

/// <summary><c>trusts add|list|remove</c> on a real instance that lists one CI issuer, with the REST API's checks.</summary>
public sealed class TrustCommandTests : IDisposable
{
    private const string GitLab = "https://gitlab.example.com";

    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>Runs with the data directory and the configured issuer, as the server is started.</summary>
    private Task<CliOutcome> RunAsync(params string[] args) =>
        _cli.RunRawAsync([.. args, .. _cli.Configuration, $"--DependencyProxy:Oidc:Issuers:gitlab:Url={GitLab}"]);

    private async Task InstanceWithGroupAsync()
    {
        await _cli.CreateInstanceAsync();
        (await _cli.RunAsync("groups", "create", "acme")).AssertSucceeded();
    }

    [Fact]
    public async Task Rules_AreAddedListedAndRemoved()
    {
        await InstanceWithGroupAsync();
        var added = (await RunAsync("trusts", "add", "acme", "--name", "gitlab-main", "--issuer", GitLab, "--audience", "https://registry.acme.test",
            "--claim", "project_path=acme/*", "--claim", "ref_protected=true")).AssertSucceeded();
        Assert.Contains("Added trust rule", added.Output);
        Assert.Contains("project_path=acme/*, ref_protected=true", added.Output);
        Assert.Contains("pull as reporter", added.Output);
        // A glob may hold '=': only the first one separates the name.
        (await RunAsync("trusts", "add", "acme", "--name", "github", "--issuer", GitLab, "--audience", "dp", "--claim", "job_workflow_ref=acme/app/*@refs/heads/x=y",
            "--access-level", "guest")).AssertSucceeded();

        var table = (await RunAsync("trusts", "list", "acme")).AssertSucceeded().Output;
        Assert.Matches(@"ID\s+NAME\s+ISSUER\s+AUDIENCE\s+ROLE\s+CLAIMS", table);
        Assert.Matches(@"gitlab-main\s+https://gitlab\.example\.com\s+https://registry\.acme\.test\s+reporter\s+project_path=acme/\* ref_protected=true", table);

        var listed = JsonDocument.Parse((await RunAsync("trusts", "list", "acme", "--json")).Output).RootElement;
        Assert.Equal(2, listed.GetArrayLength());
        Assert.Equal("acme/app/*@refs/heads/x=y", listed[1].GetProperty("claims").GetProperty("job_workflow_ref").GetString());
        Assert.Equal(10, listed[1].GetProperty("access_level").GetInt32());
        Assert.Equal("guest", listed[1].GetProperty("role").GetString());
        // UTC, written as the REST API writes it.
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", listed[1].GetProperty("created_at").GetString());
        var id = listed[0].GetProperty("id").GetInt64().ToString();

        Assert.Contains($"Removed trust rule {id} from 'acme'", (await RunAsync("trusts", "remove", "acme", id)).AssertSucceeded().Output);
        var again = await RunAsync("trusts", "remove", "acme", id);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"no such trust rule {id} in 'acme'", again.Error);
        // Another group's rule id is no rule of this group.
        (await _cli.RunAsync("groups", "create", "other")).AssertSucceeded();
        var foreign = await RunAsync("trusts", "remove", "other", listed[1].GetProperty("id").GetInt64().ToString());
        Assert.Equal(1, foreign.ExitCode);
        Assert.Single(JsonDocument.Parse((await RunAsync("trusts", "list", "acme", "--json")).Output).RootElement.EnumerateArray());
        Assert.Contains("(none)", (await RunAsync("trusts", "list", "other")).Output);
    }

    [Theory]
    [InlineData("--claim must be name=glob, e.g. project_path=acme/*, not 'project_path'", "--claim", "project_path")]
    [InlineData("--claim must be name=glob", "--claim", "=acme/*")]
    [InlineData("'--claim' is required", "--name", "x")]
    [InlineData("--access-level must be guest or reporter, not 'developer'", "--claim", "a=b", "--access-level", "developer")]
    [InlineData("--access-level must be guest or reporter, not '20'", "--claim", "a=b", "--access-level", "20")]
    [InlineData("issuer must be one of the configured issuers: https://gitlab.example.com", "--claim", "a=b", "--issuer", "https://gitlab.example.com/")]
    [InlineData("issuer must be one of the configured issuers", "--claim", "a=b", "--issuer", "http://169.254.169.254")]
    [InlineData("'iss' is checked by the token validation itself", "--claim", "iss=x")]
    [InlineData("'ref' is named twice", "--claim", "ref=main", "--claim", "ref=dev")]
    [InlineData("a claim name must be 1 to 255 characters without control characters", "--claim", "a\u0001b=x")]
    [InlineData("must be a text of 1 to 255 characters", "--claim", "ref=")]
    [InlineData("audience is missing", "--claim", "a=b", "--audience", " ")]
    [InlineData("--name must be 1 to 255 characters, not ' '", "--claim", "a=b", "--name", " ")]
    public async Task BadValues_AreUsageErrors_WithASentence(string message, params string[] overrides)
    {
        await InstanceWithGroupAsync();
        var values = new Dictionary<string, List<string>>
        {
            ["--name"] = ["rule"], ["--issuer"] = [GitLab], ["--audience"] = ["dp"],
        };
        for (var i = 0; i < overrides.Length; i += 2)
        {
            if (overrides[i] == "--claim")
            {
                values.TryAdd("--claim", []);
                values["--claim"].Add(overrides[i + 1]);
            }
            else
            {
                values[overrides[i]] = [overrides[i + 1]];
            }
        }

        var run = await RunAsync(["trusts", "add", "acme", .. values.SelectMany(v => v.Value.SelectMany(value => new[] { v.Key, value }))]);

        Assert.Equal(ProxyCommandLine.UsageError, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.DoesNotContain("System.", run.Error);
        Assert.Contains("(none)", (await RunAsync("trusts", "list", "acme")).Output);
    }

    [Fact]
    public async Task AHugeGlob_AnUnknownGroup_AndAWordForAnId_AreRefused()
    {
        await InstanceWithGroupAsync();
        var huge = await RunAsync("trusts", "add", "acme", "--name", "x", "--issuer", GitLab, "--audience", "dp", "--claim", "ref=" + new string('*', 100_000));
        Assert.Equal(ProxyCommandLine.UsageError, huge.ExitCode);
        Assert.True(huge.Error.Length < 500, "the error must not echo the whole value");

        var missing = await RunAsync("trusts", "list", "nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no such group 'nope'", missing.Error);
        var word = await RunAsync("trusts", "remove", "acme", "1e3");
        Assert.Equal(ProxyCommandLine.UsageError, word.ExitCode);
        Assert.Contains("the rule id must be a whole number (see trusts list), not '1e3'", word.Error);
    }
}
