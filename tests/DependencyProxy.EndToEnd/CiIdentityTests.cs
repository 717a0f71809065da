using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using Microsoft.IdentityModel.Tokens;
using static DependencyProxy.EndToEnd.Infrastructure.CiIdentityFixture;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Issue 19, CI tokens as registry credentials, with real clients: GitLab CI-style and GitHub Actions-style ID tokens
/// (minted in the test, served keys on loopback) are the password of the user <c>oidc</c> for skopeo, podman and docker,
/// which pull from a private group through the trust rules its owner made. Hostile and mismatched tokens are refused,
/// a deleted rule ends access at the next request, the issuer's key rotation is picked up without a restart, and no
/// token reaches the log. One proxy, one dockerd and the issuers serve the whole class (<see cref="CiIdentityFixture"/>).
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed partial class CiIdentityTests(UpstreamFixture upstream, CiIdentityFixture ci) : IClassFixture<CiIdentityFixture>
{
    private static string Repository(string group) => $"{group}/dependency_proxy/containers/{TestImages.Tiny}";

    private string Work(string name)
    {
        var directory = Path.Combine(ci.Work, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    [Fact]
    public async Task GitLabAndGitHubTokens_LogInAsOidc_WithSkopeoPodmanAndDocker_AndPullFromThePrivateGroup()
    {
        await ci.StartAsync(upstream);
        var (expected, _) = await upstream.UpstreamManifestAsync($"library/{TestImages.Tiny}", "latest");
        var work = Work("pulls");
        var docker = ci.Engine.NewClient();
        await docker.RemoveAllImagesAsync();
        (string Kind, string Token, string Group)[] logins =
        [
            ("GitLab CI token (RS256)", ci.GitLab.Mint(CiTokens.GitLab("acme/app"), GitLabAudience), "acme"),
            // The rule of acme covers its subgroups; ES256 as GitHub's own keys are RSA, but other issuers use EC.
            ("GitHub Actions token (ES256)", ci.GitHub.Mint(CiTokens.GitHub("acme/app"), GitHubAudience, SecurityAlgorithms.EcdsaSha256), "acme/tools"),
        ];

        foreach (var (kind, token, group) in logins)
        {
            var reference = $"{ci.Proxy.Host}/{Repository(group)}:latest";
            var skopeoAuth = Path.Combine(work, $"skopeo-{group.Replace('/', '-')}.json");
            (await LoginAsync("skopeo", ci.Proxy.Host, "oidc", token, skopeoAuth)).EnsureSuccess($"skopeo login with a {kind}");
            var target = Path.Combine(work, $"skopeo-{group.Replace('/', '-')}");
            (await SkopeoCopyAsync(reference, target, authFile: skopeoAuth)).EnsureSuccess($"skopeo pull with a {kind}");
            Assert.Equal(expected, Sha256Of(Path.Combine(target, "manifest.json")));

            var podmanAuth = Path.Combine(work, $"podman-{group.Replace('/', '-')}.json");
            (await LoginAsync("podman", ci.Proxy.Host, "oidc", token, podmanAuth)).EnsureSuccess($"podman login with a {kind}");
            var (pull, digests) = await PodmanPullAsync(reference, Path.Combine(work, $"podman-{group.Replace('/', '-')}"), podmanAuth);
            pull.EnsureSuccess($"podman pull with a {kind}");
            Assert.Contains($"@{expected}", digests);

            (await docker.LoginAsync(ci.Proxy.Host, "oidc", token)).EnsureSuccess($"docker login with a {kind}");
            (await docker.PullAsync(reference)).EnsureSuccess($"docker pull with a {kind}");
            Assert.Contains($"@{expected}", await docker.InspectAsync(reference, "{{json .RepoDigests}}"));
        }

        // A job no rule matches anywhere still pulls from a public group, as anyone may.
        var stranger = ci.GitLab.Mint(CiTokens.GitLab("nobody/app"), GitLabAudience);
        var publicAuth = Path.Combine(work, "skopeo-pub.json");
        // Written as docker login would (the login itself matches no rule, so it is refused; the pull is not).
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"oidc:{stranger}"));
        await File.WriteAllTextAsync(publicAuth, System.Text.Json.JsonSerializer.Serialize(
            new Dictionary<string, object> { ["auths"] = new Dictionary<string, object> { [ci.Proxy.Host] = new { auth = basic } } }));
        var publicTarget = Path.Combine(work, "skopeo-pub");
        (await SkopeoCopyAsync($"{ci.Proxy.Host}/{Repository("pub")}:latest", publicTarget, authFile: publicAuth))
            .EnsureSuccess("skopeo pull from a public group with a CI token no rule matches");
        Assert.Equal(expected, Sha256Of(Path.Combine(publicTarget, "manifest.json")));

        // The identity (issuer, subject, rule) is in the group's audit; the tokens are nowhere in the log.
        var audit = (await ci.PullAuditAsync()).EnumerateArray().ToList();
        Assert.Contains(audit, e => e.GetProperty("subject").GetString() == "project_path:acme/app:ref_type:branch:ref:main"
            && e.GetProperty("issuer").GetString() == ci.GitLab.Url && e.GetProperty("trust_name").GetString() == GitLabRule);
        Assert.Contains(audit, e => e.GetProperty("subject").GetString() == "repo:acme/app:ref:refs/heads/main"
            && e.GetProperty("trust_name").GetString() == GitHubRule);
        ci.AssertLogHoldsNoToken();
    }

    [Fact]
    public async Task ARuleDeletedAfterLogin_EndsAccess_AtTheNextPull_AndForRegistryTokensIssuedBefore()
    {
        await ci.StartAsync(upstream);
        var work = Work("deleted");
        var token = ci.GitLab.Mint(CiTokens.GitLab("acme-ops/deploy"), GitLabAudience);
        var reference = $"{ci.Proxy.Host}/{Repository("acme")}:latest";
        var authFile = Path.Combine(work, "auth.json");
        (await LoginAsync("skopeo", ci.Proxy.Host, "oidc", token, authFile)).EnsureSuccess("skopeo login");
        (await SkopeoCopyAsync(reference, Path.Combine(work, "before"), authFile: authFile)).EnsureSuccess("pull while the rule exists");
        var (status, _, registryToken) = await JwtAuthAsync(token, Repository("acme"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, await ManifestStatusAsync(registryToken!, Repository("acme")));

        using (var api = new RestApi(ci.Proxy, ProxyServer.RootToken))
        {
            await api.SendAsync(HttpMethod.Delete, $"groups/acme/ci_identity_trusts/{ci.Rules[DoomedRule]}");
            var left = (await api.GetAsync("groups/acme/ci_identity_trusts")).EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
            Assert.DoesNotContain(DoomedRule, left);
        }

        var after = await SkopeoCopyAsync(reference, Path.Combine(work, "after"), authFile: authFile);
        Assert.NotEqual(0, after.ExitCode);
        // The registry token from before the deletion still has minutes to live: the request re-checks the rule.
        Assert.NotEqual(HttpStatusCode.OK, await ManifestStatusAsync(registryToken!, Repository("acme")));
        ci.AssertLogHoldsNoToken();
    }

    [Fact]
    public async Task KeyRotationAtTheIssuer_IsPickedUpWithoutARestart_AndAnUnknownKeyIsStillRefused()
    {
        await ci.StartAsync(upstream);
        var work = Work("rotation");
        var claims = CiTokens.GitLab("acme/rotating");
        var before = ci.GitLab.Mint(claims, GitLabAudience);
        Assert.Equal(HttpStatusCode.OK, (await JwtAuthAsync(before, Repository("acme"))).Status);

        var fetches = ci.GitLab.JwksRequests;
        ci.GitLab.RotateKeys();
        var after = ci.GitLab.Mint(claims, GitLabAudience);
        // The proxy fetches keys again for an unknown kid at most every few seconds (made-up kids must not flood the
        // issuer), so the first token after a rotation may have to wait for that interval; it must not wait for a restart.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await JwtAuthAsync(after, Repository("acme"))).Status != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "a token signed with the issuer's new key was still refused after 20 s");
            await Task.Delay(500);
        }

        (await SkopeoCopyAsync($"{ci.Proxy.Host}/{Repository("acme")}:latest", Path.Combine(work, "after"), authFile: await SkopeoAuthAsync(work, after)))
            .EnsureSuccess("pull with a token signed by the issuer's new key");
        Assert.True(ci.GitLab.JwksRequests > fetches, "the proxy should have fetched the issuer's keys again for the new kid");

        var (status, body, _) = await JwtAuthAsync(ci.GitLab.MintWithUnknownKey(claims, GitLabAudience), Repository("acme"));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("invalid username, password or token", body);
        Assert.True(ci.Proxy.IsRunning);
        ci.AssertLogHoldsNoToken();
    }

    private async Task<string> SkopeoAuthAsync(string work, string token)
    {
        var authFile = Path.Combine(work, $"auth-{Guid.NewGuid():N}.json");
        (await LoginAsync("skopeo", ci.Proxy.Host, "oidc", token, authFile)).EnsureSuccess("skopeo login");
        return authFile;
    }

    /// <summary><c>/jwt/auth</c> as clients call it, with <c>oidc</c> and the token as Basic credentials and one pull scope.</summary>
    private async Task<(HttpStatusCode Status, string Body, string? RegistryToken)> JwtAuthAsync(string token, string repository)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{ci.Proxy.Host}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/jwt/auth?service=dependency_proxy&account=oidc&scope=repository:{repository}:pull");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"oidc:{token}")));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var registryToken = response.IsSuccessStatusCode ? JsonDocument.Parse(body).RootElement.GetProperty("token").GetString() : null;
        return (response.StatusCode, body, registryToken);
    }

    private async Task<HttpStatusCode> ManifestStatusAsync(string registryToken, string repository)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{ci.Proxy.Host}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/latest");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", registryToken);
        foreach (var type in UpstreamFixture.ManifestTypes)
        {
            request.Headers.Accept.ParseAdd(type);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
