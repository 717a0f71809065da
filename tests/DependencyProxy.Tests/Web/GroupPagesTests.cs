using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using DependencyProxy.Oci;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Web;

/// <summary>
/// The group pages GitLab users expect: one row per tag with an index's platforms inside it, Delete for one image,
/// deploy and group access tokens in Settings (the value shown once, after a redirect), Delete group with its path
/// typed, and the favicon. Hostile ids and form values included; the browser flows are in the end-to-end tests.
/// </summary>
public sealed partial class GroupPagesTests : ProxyTestBase
{
    [Fact]
    public async Task ImagesList_HasOneRowPerTag_AnIndexsPlatformsInsideItsRow_AndCountsOnlyTags()
    {
        var amd64 = AddImage("library/multi", null, 1000);
        var arm64 = AddImage("library/multi", null, 2000);
        var index = AddIndex("library/multi", "1", (amd64, "amd64", null), (arm64, "arm64", "v8"));
        var single = AddImage("library/single", "latest", 3000);
        var pinned = AddImage("library/pinned", null, 500);
        await PullAsync("multi", "1", index.Manifest);
        await PullAsync("multi", amd64.ManifestDigest, amd64.Manifest, amd64); // as docker does on an amd64 machine
        await PullAsync("single", "latest", single.Manifest, single);
        await PullAsync("pinned", pinned.ManifestDigest, pinned.Manifest, pinned); // pulled by digest only: a row of its own

        using var browser = new WebClient(Proxy);
        await SignInAsync(browser, "owner", 50);
        var html = await browser.GetPageAsync("/groups/grp");
        var rows = RowRegex().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["library/multi:1", $"library/pinned@{pinned.ManifestDigest[..19]}", "library/single:latest"], rows.Order(StringComparer.Ordinal).ToList());
        Assert.Equal("3", Regex.Match(html, "id=\"stat-images\">(\\d+)<").Groups[1].Value);
        Assert.Contains("2 platforms", html);
        Assert.Contains("<li data-platform=\"linux/amd64\"><span>linux/amd64</span>", html);
        Assert.Matches("data-platform=\"linux/arm64/v8\">.*\\s*.*>not pulled<", html);
        Assert.Matches("data-platform=\"linux/amd64\">.*\\s*.*>(1\\d\\d\\d B|1 KiB|1\\.\\d KiB)<", html);
        // The REST API still lists every entry, platforms included, with the ids Delete takes.
        var (_, list) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/manifests", Root);
        Assert.Equal(4, list.GetArrayLength());
        // Statistics and the admin page count images as the page does; manifest_count is every entry.
        var (_, statistics) = await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/statistics", Root);
        Assert.Equal(3, statistics.GetProperty("image_count").GetInt32());
        Assert.Equal(4, statistics.GetProperty("manifest_count").GetInt32());
        await Proxy.Get<DependencyProxy.Identity.UserAccounts>().SetPasswordAsync("root", WebClient.Password, default);
        using var admin = new WebClient(Proxy);
        (await admin.SignInAsync("root")).Dispose();
        Assert.Matches("href=\"/groups/grp\">grp</a></td>\\s*<td class=\"num\" data-label=\"Images\">3</td>", await admin.GetPageAsync("/admin"));
    }

    [Fact]
    public async Task DeleteButton_IsForMaintainers_DeletesOneImage_AndRefusesOthersAndHostileIds()
    {
        var app = AddImage("library/app", "1.0", 1000);
        var tool = AddImage("library/tool", "latest", 1000);
        await PullAsync("app", "1.0", app.Manifest, app);
        await PullAsync("tool", "latest", tool.Manifest, tool);
        var html = await OwnerPageAsync();
        var appId = Regex.Match(html, "data-id=\"(\\d+)\" data-image=\"library/app:1.0\"").Groups[1].Value;
        var toolId = Regex.Match(html, "data-id=\"(\\d+)\" data-image=\"library/tool:latest\"").Groups[1].Value;

        using var developer = new WebClient(Proxy);
        await SignInAsync(developer, "dev", 30);
        Assert.DoesNotContain("handler=Delete", await developer.GetPageAsync("/groups/grp"));
        using (var refused = await developer.PostFormAsync("/groups/grp", "/groups/grp?handler=Delete", new() { ["id"] = appId }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var maintainer = new WebClient(Proxy);
        await SignInAsync(maintainer, "maint", 40);
        Assert.Contains("handler=Delete", await maintainer.GetPageAsync("/groups/grp"));
        foreach (var hostile in new[] { "", "abc", "-1", "0", "1e3", " 1", "99999999999999999999", "<script>" })
        {
            using var bad = await maintainer.PostFormAsync("/groups/grp", "/groups/grp?handler=Delete", new() { ["id"] = hostile });
            Assert.Equal(HttpStatusCode.NotFound, bad.StatusCode);
        }

        // An entry of another group, by its id, is not found through this one.
        var otherId = await Proxy.CreateGroupAsync("other");
        await PullAsync("app", "1.0", app.Manifest, app, group: "other");
        var (_, otherList) = await Api.GetAsync($"/groups/{otherId}/dependency_proxy/manifests", Root);
        using (var foreign = await maintainer.PostFormAsync("/groups/grp", "/groups/grp?handler=Delete",
            new() { ["id"] = otherList[0].GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture) }))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }

        using var deleted = await maintainer.PostFormAsync("/groups/grp", "/groups/grp?handler=Delete", new() { ["id"] = appId });
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        var after = await maintainer.GetPageAsync("/groups/grp");
        Assert.Contains("Deleted library/app:1.0 from grp", after);
        Assert.DoesNotContain("data-image=\"library/app:1.0\"", after);
        Assert.Contains($"data-id=\"{toolId}\"", after);
        Assert.Equal(1, (await Api.GetAsync($"/groups/{otherId}/dependency_proxy/manifests", Root)).Body.GetArrayLength());
    }

    [Theory]
    [InlineData("CreateDeployToken", "ci", "api", "", "scopes does not have a valid value")]
    [InlineData("CreateDeployToken", "", "read_registry", "", "name is missing")]
    [InlineData("CreateDeployToken", "ci", "read_registry", "2001-01-01", "expires_at must be today or later")]
    [InlineData("CreateDeployToken", "ci", "read_registry", "2030-13-45", "expires_at is invalid")]
    [InlineData("CreateDeployToken", "ci", "read_registry", "tomorrow", "expires_at is invalid")]
    [InlineData("CreateAccessToken", "bot", "sudo", "", "scopes does not have a valid value")]
    [InlineData("CreateAccessToken", "<script>alert(1)</script>", "", "", "scopes is missing")]
    public async Task TokenForms_RefuseBadValues_WithTheApisMessages(string handler, string name, string scope, string expires, string message)
    {
        using var browser = new WebClient(Proxy);
        await SignInAsync(browser, "owner", 50);
        var fields = new Dictionary<string, string> { ["name"] = name, ["expires_at"] = expires, ["role"] = "developer" };
        if (scope.Length > 0)
        {
            fields["scopes"] = scope;
        }

        using var response = await browser.PostFormAsync("/groups/-/settings/grp", $"/groups/-/settings/grp?handler={handler}", fields);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(message, html);
        Assert.DoesNotContain("<script>alert(1)</script>", html);
    }

    [Fact]
    public async Task AccessTokenForm_RefusesAnUnknownRole()
    {
        using var browser = new WebClient(Proxy);
        await SignInAsync(browser, "owner", 50);
        foreach (var role in new[] { "", "root", "60", "4294967346" })
        {
            using var response = await browser.PostFormAsync("/groups/-/settings/grp", "/groups/-/settings/grp?handler=CreateAccessToken",
                new() { ["name"] = "bot", ["scopes"] = "read_api", ["role"] = role });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Choose a role", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task ADeployTokenMadeInSettings_IsShownOnceAfterARedirect_WorksForDockerLogin_AndCanBeRevoked()
    {
        using var browser = new WebClient(Proxy);
        await SignInAsync(browser, "owner", 50);
        using var created = await browser.PostFormAsync("/groups/-/settings/grp", "/groups/-/settings/grp?handler=CreateDeployToken",
            new() { ["name"] = "ci", ["username"] = "ci-bot", ["scopes"] = "read_registry" });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("/groups/-/settings/grp#created-token", created.Headers.Location!.OriginalString);
        var token = await ShownOnceAsync(browser);
        Assert.Equal(HttpStatusCode.OK, (await Api.LoginAsync("ci-bot", token, "grp/dependency_proxy/containers/alpine")).Status);

        var page = await browser.GetPageAsync("/groups/-/settings/grp");
        Assert.Contains("<code>ci-bot</code>", page);
        var id = Regex.Match(page, "handler=RevokeDeployToken\"[^>]*>\\s*<input type=\"hidden\" name=\"id\" value=\"(\\d+)\"").Groups[1].Value;
        Assert.NotEmpty(id);
        foreach (var hostile in new[] { "abc", "-1", "0", "99999", "1e3" })
        {
            using var bad = await browser.PostFormAsync("/groups/-/settings/grp", "/groups/-/settings/grp?handler=RevokeDeployToken", new() { ["id"] = hostile });
            Assert.Equal(HttpStatusCode.NotFound, bad.StatusCode);
        }

        using var revoked = await browser.PostFormAsync("/groups/-/settings/grp", "/groups/-/settings/grp?handler=RevokeDeployToken", new() { ["id"] = id });
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.LoginAsync("ci-bot", token, "grp/dependency_proxy/containers/alpine")).Status);
    }

    [Fact]
    public async Task AGroupAccessTokenMadeInSettings_IsShownOnce_ActsWithItsRole_AndCanBeRevoked()
    {
        using var browser = new WebClient(Proxy);
        await SignInAsync(browser, "owner", 50);
        using var created = await browser.PostFormAsync("/groups/-/settings/grp", "/groups/-/settings/grp?handler=CreateAccessToken",
            new() { ["name"] = "script", ["scopes"] = "read_api", ["role"] = "reporter" });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var token = await ShownOnceAsync(browser);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/manifests", token)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/settings", token)).Status); // a reporter

        var page = await browser.GetPageAsync("/groups/-/settings/grp");
        Assert.Matches("<td data-label=\"Role\">reporter</td>", page);
        var id = Regex.Match(page, "handler=RevokeAccessToken\"[^>]*>\\s*<input type=\"hidden\" name=\"id\" value=\"(\\d+)\"").Groups[1].Value;
        using var revoked = await browser.PostFormAsync("/groups/-/settings/grp", "/groups/-/settings/grp?handler=RevokeAccessToken", new() { ["id"] = id });
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/manifests", token)).Status);
        var after = await browser.GetPageAsync("/groups/-/settings/grp");
        Assert.Contains("<td data-label=\"State\">revoked</td>", after);
        Assert.Matches("<td data-label=\"Role\">reporter</td>", after); // the role it had, as GitLab shows revoked tokens
    }

    [Fact]
    public async Task RemovingABotOnTheMembersPage_RevokesItsToken()
    {
        var (_, access) = await Api.PostAsync($"/groups/{GroupId}/access_tokens", Root, new { name = "ci", scopes = new[] { "read_api" }, access_level = 30 });
        var token = access.GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/manifests", token)).Status);
        using var browser = new WebClient(Proxy);
        await SignInAsync(browser, "owner", 50);

        using var removed = await browser.PostFormAsync("/groups/-/members/grp", "/groups/-/members/grp?handler=Remove",
            new() { ["user_id"] = access.GetProperty("user_id").GetInt64().ToString() });

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync($"/groups/{GroupId}/dependency_proxy/manifests", token)).Status);
        var settings = await browser.GetPageAsync("/groups/-/settings/grp");
        Assert.Contains("<td data-label=\"State\">revoked</td>", settings);
        Assert.Matches("<td data-label=\"Role\">developer</td>", settings);
    }

    [Fact]
    public async Task DeleteGroup_NeedsAnOwner_AndItsPathTypedExactly()
    {
        using var maintainer = new WebClient(Proxy);
        await SignInAsync(maintainer, "maint", 40);
        using (var refused = await maintainer.PostFormAsync("/groups/grp", "/groups/-/settings/grp?handler=DeleteGroup", new() { ["confirm_path"] = "grp" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var owner = new WebClient(Proxy);
        await SignInAsync(owner, "owner", 50);
        foreach (var typed in new[] { "", "GRP", "grp ", "gr", "<script>x</script>" })
        {
            using var wrong = await owner.PostFormAsync("/groups/-/settings/grp", "/groups/-/settings/grp?handler=DeleteGroup", new() { ["confirm_path"] = typed });
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            var html = await wrong.Content.ReadAsStringAsync();
            Assert.Contains("Type the group&#x27;s path, grp, to delete it.", html);
            Assert.DoesNotContain("<script>x</script>", html);
        }

        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync($"/groups/{GroupId}", Root)).Status);
        using var deleted = await owner.PostFormAsync("/groups/-/settings/grp", "/groups/-/settings/grp?handler=DeleteGroup", new() { ["confirm_path"] = "grp" });
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal("/groups", deleted.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/groups/{GroupId}", Root)).Status);
        Assert.Contains("The group grp was deleted", await owner.GetPageAsync("/groups"));
    }

    [Fact]
    public async Task EveryPageLinksAFavicon_ThatIsServed_AsIsFaviconIco()
    {
        using var browser = new WebClient(Proxy);
        var signIn = await browser.GetPageAsync("/users/sign_in");
        var href = Regex.Match(signIn, "<link rel=\"icon\" type=\"image/svg\\+xml\" href=\"([^\"]+)\">").Groups[1].Value;
        Assert.StartsWith("/-/assets/favicon.svg?v=", href);
        foreach (var path in new[] { href, "/favicon.ico" })
        {
            using var icon = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
            Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType!.MediaType);
            Assert.StartsWith("<svg", await icon.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task NewGroupForm_FillsThePathFromTheName_AndThePrefixBreaksOnlyAtSlashes()
    {
        using var browser = new WebClient(Proxy);
        await SignInAsync(browser, "owner", 50);
        Assert.Contains("data-path-from=\"#group-name\"", await browser.GetPageAsync("/groups"));
        var page = await browser.GetPageAsync("/groups/grp");
        var prefix = Regex.Match(page, "<code id=\"image-prefix\" class=\"path\">(.*?)</code>").Groups[1].Value;
        Assert.Equal("localhost/<wbr>grp/<wbr>dependency_proxy/<wbr>containers", prefix);
    }

    private async Task<string> OwnerPageAsync()
    {
        using var owner = new WebClient(Proxy);
        await SignInAsync(owner, "owner", 50);
        return await owner.GetPageAsync("/groups/grp");
    }

    /// <summary>The value on the first view after the redirect (not cacheable), and gone from the next one.</summary>
    private static async Task<string> ShownOnceAsync(WebClient browser)
    {
        using var first = await browser.GetAsync("/groups/-/settings/grp");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(first.Headers.CacheControl?.NoStore, "the page with a new token may be stored");
        var token = Regex.Match(await first.Content.ReadAsStringAsync(), "id=\"new-token\" class=\"secret\">([^<]+)<").Groups[1].Value;
        Assert.StartsWith("dp", token);
        Assert.DoesNotContain(token, await browser.GetPageAsync("/groups/-/settings/grp"));
        return token;
    }

    private async Task SignInAsync(WebClient browser, string username, int level)
    {
        var (userId, _) = await Api.CreateUserWithTokenAsync(username);
        await Api.PostAsync($"/groups/{GroupId}/members", Root, new { user_id = userId, access_level = level });
        using var response = await browser.SignInAsync(username);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private TestImage AddImage(string repository, string? tag, int layerSize)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"os\":\"linux\",\"seed\":\"{repository}:{tag}:{layerSize}\"}}");
        var configDigest = Upstream.AddBlob(config);
        var layer = TestImage.Deterministic(layerSize, HashCode.Combine(repository, tag, layerSize));
        var layerDigest = Upstream.AddBlob(layer);
        var manifest = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciManifest}\",\"config\":{{\"mediaType\":" +
            $"\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}},\"layers\":[{{\"mediaType\":" +
            $"\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{layerDigest}\",\"size\":{layer.Length}}}]}}");
        var digest = Upstream.AddManifest(repository, tag, manifest, TestImage.OciManifest);
        return new TestImage(digest, manifest, TestImage.OciManifest, configDigest, [layerDigest], [layer]);
    }

    private (string Digest, byte[] Manifest) AddIndex(string repository, string tag, params (TestImage Image, string Architecture, string? Variant)[] platforms)
    {
        var entries = string.Join(",", platforms.Select(p => $"{{\"mediaType\":\"{TestImage.OciManifest}\",\"digest\":\"{p.Image.ManifestDigest}\"," +
            $"\"size\":{p.Image.Manifest.Length},\"platform\":{{\"architecture\":\"{p.Architecture}\",\"os\":\"linux\"" +
            (p.Variant is null ? "" : $",\"variant\":\"{p.Variant}\"") + "}}"));
        var manifest = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{TestImage.OciIndex}\",\"manifests\":[{entries}]}}");
        return (Upstream.AddManifest(repository, tag, manifest, TestImage.OciIndex), manifest);
    }

    private async Task PullAsync(string image, string reference, byte[] manifest, TestImage? blobs = null, string group = "grp")
    {
        using var response = await GetManifestAsync(image, reference, group);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(manifest, await response.Content.ReadAsByteArrayAsync());
        if (blobs is not null)
        {
            foreach (var digest in blobs.LayerDigests.Append(blobs.ConfigDigest))
            {
                (await Client.GetAsync(BlobUrl(image, digest, group))).EnsureSuccessStatusCode();
            }
        }

        await WaitForFillsAsync();
    }

    [GeneratedRegex("<tr data-id=\"\\d+\" data-image=\"([^\"]+)\">")]
    private static partial Regex RowRegex();
}
