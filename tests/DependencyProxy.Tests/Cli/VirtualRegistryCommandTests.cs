using System.Text.Json;

namespace DependencyProxy.Tests.Cli;

/// <summary><c>virtual-registries</c> and its <c>upstreams</c> commands on a real instance, with the same rules as the REST API.</summary>
public sealed class VirtualRegistryCommandTests : IDisposable
{
    private const string Hub = "https://registry-1.docker.io";

    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<long> RegistryAsync()
    {
        await _cli.CreateInstanceAsync();
        (await _cli.RunAsync("groups", "create", "acme")).AssertSucceeded();
        var created = await _cli.RunAsync("virtual-registries", "create", "acme", "hub-first", "--description", "Docker Hub first");
        created.AssertSucceeded();
        Assert.Contains("/virtual_registries/container/", created.Output);
        var list = await _cli.RunAsync("virtual-registries", "list", "acme", "--json");
        return JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Single().GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task Registries_AreCreatedListedAndDeleted()
    {
        var id = await RegistryAsync();
        var table = await _cli.RunAsync("virtual-registries", "list", "acme");
        Assert.Matches(@"ID\s+NAME\s+UPSTREAMS\s+DESCRIPTION", table.Output);
        Assert.Contains("hub-first", table.Output);

        (await _cli.RunAsync("groups", "create", "acme/team")).AssertSucceeded();
        var subgroup = await _cli.RunAsync("virtual-registries", "create", "acme/team", "nope");
        Assert.Equal(1, subgroup.ExitCode);
        Assert.Contains("only available on top-level groups.", subgroup.Error);
        var listedOnSubgroup = await _cli.RunAsync("virtual-registries", "list", "acme/team");
        Assert.Equal(1, listedOnSubgroup.ExitCode);
        Assert.Contains("only available on top-level groups.", listedOnSubgroup.Error);
        Assert.DoesNotContain("(none)", listedOnSubgroup.Output);

        (await _cli.RunAsync("virtual-registries", "delete", id.ToString())).AssertSucceeded();
        var again = await _cli.RunAsync("virtual-registries", "delete", id.ToString());
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"no such virtual registry '{id}'", again.Error);
        Assert.Contains("no such virtual registry '-1'", (await _cli.RunAsync("virtual-registries", "delete", "-1")).Error);
    }

    [Fact]
    public async Task Upstreams_AreAddedInOrder_Moved_AndRemoved_WithThePasswordReadFromStandardInput()
    {
        var id = await RegistryAsync();
        (await _cli.RunAsync("virtual-registries", "upstreams", "add", id.ToString(), Hub, "--name", "anonymous")).AssertSucceeded();
        var withAccount = await _cli.RunRawAsync(["virtual-registries", "upstreams", "add", id.ToString(), Hub, "--name", "account", "--username", "bob",
            "--cache-validity-hours", "0", .. _cli.Configuration], standardInput: "bobs-token\n");
        withAccount.AssertSucceeded();
        Assert.Contains("at position 2", withAccount.Output);
        Assert.DoesNotContain("bobs-token", withAccount.Output);

        var listed = JsonDocument.Parse((await _cli.RunAsync("virtual-registries", "upstreams", "list", id.ToString(), "--json")).Output).RootElement;
        Assert.Equal(["anonymous", "account"], listed.EnumerateArray().Select(u => u.GetProperty("name").GetString()));
        Assert.Equal(0, listed[1].GetProperty("cache_validity_hours").GetInt32());
        Assert.DoesNotContain("bobs-token", listed.ToString());

        var account = listed[1].GetProperty("id").GetInt64().ToString();
        var table = (await _cli.RunAsync("virtual-registries", "upstreams", "list", id.ToString())).Output;
        Assert.Contains("never re-checked", table);
        Assert.DoesNotContain("0 h", table);

        // An existing upstream of the group linked into another registry (GitLab's POST registry_upstreams).
        (await _cli.RunAsync("virtual-registries", "create", "acme", "second")).AssertSucceeded();
        var second = JsonDocument.Parse((await _cli.RunAsync("virtual-registries", "list", "acme", "--json")).Output).RootElement
            .EnumerateArray().Single(r => r.GetProperty("name").GetString() == "second").GetProperty("id").GetInt64().ToString();
        var linked = await _cli.RunAsync("virtual-registries", "upstreams", "add", second, "--upstream-id", account);
        linked.AssertSucceeded();
        Assert.Contains($"Linked upstream {account} into 'second' at position 1", linked.Output);
        Assert.Contains("no such upstream '999999'", (await _cli.RunAsync("virtual-registries", "upstreams", "add", second, "--upstream-id", "999999")).Error);
        Assert.Contains("give no url", (await _cli.RunAsync("virtual-registries", "upstreams", "add", second, Hub, "--upstream-id", account)).Error);
        Assert.Contains("or --upstream-id", (await _cli.RunAsync("virtual-registries", "upstreams", "add", second, "--name", "x")).Error);
        (await _cli.RunAsync("virtual-registries", "upstreams", "move", id.ToString(), account, "1")).AssertSucceeded();
        var moved = JsonDocument.Parse((await _cli.RunAsync("virtual-registries", "upstreams", "list", id.ToString(), "--json")).Output).RootElement;
        Assert.Equal(["account", "anonymous"], moved.EnumerateArray().Select(u => u.GetProperty("name").GetString()));
        // Not a position at all is a usage error (exit 2); past the configured most is the service's refusal (exit 1).
        foreach (var wrong in new[] { "first", "0", "-1", "99999999999999999999" })
        {
            var usage = await _cli.RunAsync("virtual-registries", "upstreams", "move", id.ToString(), account, wrong);
            Assert.Equal(2, usage.ExitCode);
            Assert.Contains("position must be a whole number from 1", usage.Error);
        }

        var pastTheEnd = await _cli.RunAsync("virtual-registries", "upstreams", "move", id.ToString(), account, "21"); // past the configured most (20)
        Assert.Equal(1, pastTheEnd.ExitCode);
        Assert.Contains("position does not have a valid value", pastTheEnd.Error);

        (await _cli.RunAsync("virtual-registries", "upstreams", "remove", id.ToString(), account)).AssertSucceeded();
        var left = JsonDocument.Parse((await _cli.RunAsync("virtual-registries", "upstreams", "list", id.ToString(), "--json")).Output).RootElement;
        Assert.Equal(1, Assert.Single(left.EnumerateArray()).GetProperty("position").GetInt32());
        Assert.Contains($"has no upstream '{account}'", (await _cli.RunAsync("virtual-registries", "upstreams", "remove", id.ToString(), account)).Error);
    }

    [Theory]
    [InlineData("url must be an http or https URL", "file:///etc/passwd")]
    [InlineData("is not configured on this server", "https://registry.internal.example")]
    [InlineData("without credentials", "https://u:p@registry-1.docker.io")]
    public async Task UpstreamUrls_TheInstanceDoesNotAllow_AreRefused(string message, string url)
    {
        var id = await RegistryAsync();
        var run = await _cli.RunAsync("virtual-registries", "upstreams", "add", id.ToString(), url, "--name", "x");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Error);
        var validity = await _cli.RunAsync("virtual-registries", "upstreams", "add", id.ToString(), Hub, "--name", "x", "--cache-validity-hours", "-1");
        Assert.Contains("--cache-validity-hours must be a whole number of hours from 0 to 87600", validity.Error);
    }
}
