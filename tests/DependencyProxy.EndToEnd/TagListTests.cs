using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Tag lists with the real skopeo, from CNCF Distribution behind Docker-Hub-style token auth: <c>skopeo inspect</c> with no
/// flags (it lists the repository's tags) and <c>skopeo list-tags</c>, through a group path and in mirror mode.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class TagListTests(UpstreamFixture upstream)
{
    private static readonly string[] Tags = ["1.0", "1.1", "2.0", "latest"];

    [Fact]
    public async Task SkopeoInspectAndListTags_WorkThroughAGroupPath_AndInMirrorMode()
    {
        var repository = await PushTaggedAsync();
        await using var proxy = await upstream.StartProxyAsync("mirror", "--DependencyProxy:Mirror:Group=mirror");

        var groupReference = $"{proxy.Host}/mirror/dependency_proxy/containers/{repository}";
        var inspect = (await Skopeo("inspect", $"docker://{groupReference}:latest")).EnsureSuccess("skopeo inspect (no --no-tags)");
        using (var json = JsonDocument.Parse(inspect.Output))
        {
            Assert.Equal(Tags, json.RootElement.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal((await upstream.UpstreamManifestAsync(repository, "latest")).Digest, json.RootElement.GetProperty("Digest").GetString());
        }

        Assert.Equal(Tags, await ListTagsAsync($"docker://{groupReference}", "group path"));
        Assert.Equal(Tags, await ListTagsAsync($"docker://{proxy.Host}/{repository}", "mirror mode"));
    }

    /// <summary>A repository of its own with several tags of the tiny image, so other tests' lists stay as they are.</summary>
    private async Task<string> PushTaggedAsync()
    {
        var repository = $"library/tagged-{Guid.NewGuid():N}"[..24];
        foreach (var tag in Tags)
        {
            (await Skopeo("copy", "--dest-tls-verify=false", $"docker://{upstream.Registry.Host}/library/{TestImages.Tiny}:latest",
                $"docker://{upstream.Registry.Host}/{repository}:{tag}")).EnsureSuccess($"push {repository}:{tag}");
        }

        return repository;
    }

    private static async Task<string?[]> ListTagsAsync(string reference, string what)
    {
        var result = (await Skopeo("list-tags", reference)).EnsureSuccess($"skopeo list-tags ({what})");
        using var json = JsonDocument.Parse(result.Output);
        return [.. json.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString())];
    }

    /// <summary>skopeo against plain http (the proxy and the test upstream): <c>--tls-verify=false</c> on the reading side.</summary>
    internal static Task<CommandResult> Skopeo(string command, params string[] arguments) =>
        Processes.RunAsync("skopeo", [command, command == "copy" ? "--src-tls-verify=false" : "--tls-verify=false", .. arguments],
            TimeSpan.FromMinutes(2));
}
