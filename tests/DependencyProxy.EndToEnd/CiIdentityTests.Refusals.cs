using System.Net;
using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.CiIdentityFixture;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>The refusals of issue 19: every token here is refused, at <c>/jwt/auth</c> and by each real client.</summary>
public sealed partial class CiIdentityTests
{
    [Fact]
    public async Task HostileAndMismatchedTokens_AreRefused_AtJwtAuth_AndThroughSkopeoPodmanAndDocker()
    {
        await ci.StartAsync(upstream);
        var gitlab = CiTokens.GitLab("acme/app");
        var now = DateTimeOffset.UtcNow;
        // Forged or unusable tokens: refused as credentials, most with the sentence every bad password gets.
        (string Case, string Token)[] forged =
        [
            ("alg none", ci.GitLab.MintUnsigned(gitlab, GitLabAudience)),
            ("HS256 signed with the issuer's public key", ci.GitLab.MintHmacWithPublicKey(gitlab, GitLabAudience)),
            // GitHub's issuer, so that this refresh of its keys cannot hold back the GitLab key rotation test.
            ("unknown kid", ci.GitHub.MintWithUnknownKey(CiTokens.GitHub("acme/app"), GitHubAudience)),
            ("expired beyond the 60 s skew", ci.GitLab.Mint(gitlab, GitLabAudience, notBefore: now.AddMinutes(-10), lifetime: TimeSpan.FromMinutes(5))),
            ("not yet valid beyond the 60 s skew", ci.GitLab.Mint(gitlab, GitLabAudience, notBefore: now.AddMinutes(5))),
            ("longer than the issuer's 2 h maximum", ci.GitLab.Mint(gitlab, GitLabAudience, lifetime: TimeSpan.FromHours(3))),
            ("an issuer nobody listed", ci.Unlisted.Mint(gitlab, GitLabAudience)),
            ("a listed issuer's iss on another issuer's key", ci.Unlisted.Mint(CiTokens.GitHub("acme/app"), GitHubAudience, issuer: ci.GitHub.Url)),
        ];
        // Well signed, but no rule of the group trusts them: the pull is refused, however the login went.
        (string Case, string Token)[] untrusted =
        [
            ("wrong audience", ci.GitLab.Mint(gitlab, "https://registry.other.test")),
            ("a GitLab token for an unprotected ref", ci.GitLab.Mint(CiTokens.GitLab("acme/app", protectedRef: false), GitLabAudience)),
            ("a GitLab token of another namespace", ci.GitLab.Mint(CiTokens.GitLab("acmeco/app"), GitLabAudience)),
            ("a GitHub token of another repository", ci.GitHub.Mint(CiTokens.GitHub("acme/app-fork"), GitHubAudience)),
            ("a GitHub token with the GitLab rule's audience", ci.GitHub.Mint(CiTokens.GitHub("acme/app"), GitLabAudience)),
        ];

        foreach (var (name, token) in forged)
        {
            var (status, body, _) = await JwtAuthAsync(token, Repository("acme"));
            // An expired or early token is told so (its holder can read exp and nbf anyway); the rest learn nothing.
            var expected = name.StartsWith("expired", StringComparison.Ordinal) ? "the CI token has expired"
                : name.StartsWith("not yet valid", StringComparison.Ordinal) ? "the CI token is not valid yet" : "invalid username, password or token";
            Assert.True(status == HttpStatusCode.Unauthorized && body.Contains(expected, StringComparison.Ordinal), $"{name}: {(int)status} {body}");
        }

        foreach (var (name, token) in untrusted)
        {
            var (status, body, registryToken) = await JwtAuthAsync(token, Repository("acme"));
            Assert.True(status != HttpStatusCode.OK || await ManifestStatusAsync(registryToken!, Repository("acme")) != HttpStatusCode.OK,
                $"{name}: the pull was allowed");
            // Strangers learn nothing of the rules: neither their names nor their claims.
            foreach (var detail in new[] { GitLabRule, GitHubRule, DoomedRule, "acme/*", "ref_protected" })
            {
                Assert.DoesNotContain(detail, body);
            }
        }

        // The unlisted issuer was never contacted: only configured issuers are (no SSRF through a token's iss).
        Assert.Equal(0, ci.Unlisted.JwksRequests);

        // Each real client is refused too: skopeo pulls with a token of the wrong claims, podman and docker log in with forged ones.
        var work = Work("refused");
        var reference = $"{ci.Proxy.Host}/{Repository("acme")}:latest";
        var skopeo = await SkopeoCopyWithCredentialsAsync(reference, Path.Combine(work, "skopeo"), untrusted[1].Token);
        Assert.NotEqual(0, skopeo.ExitCode);
        var podman = await LoginAsync("podman", ci.Proxy.Host, "oidc", forged[0].Token, Path.Combine(work, "podman.json"));
        Assert.NotEqual(0, podman.ExitCode);
        Assert.Contains("invalid username", podman.Output);
        var docker = ci.Engine.NewClient();
        var dockerLogin = await docker.LoginAsync(ci.Proxy.Host, "oidc", forged[3].Token);
        Assert.NotEqual(0, dockerLogin.ExitCode);
        Assert.DoesNotContain(ci.Proxy.Host, docker.StoredConfig());
        ci.AssertLogHoldsNoToken();
    }

    [Fact]
    public async Task TheRegistryToken_LivesNoLongerThanTheCiToken()
    {
        await ci.StartAsync(upstream);
        var token = ci.GitLab.Mint(CiTokens.GitLab("acme/app"), GitLabAudience, lifetime: TimeSpan.FromMinutes(2));
        var (status, body, _) = await JwtAuthAsync(token, Repository("acme"));
        Assert.Equal(HttpStatusCode.OK, status);
        // Registry tokens last 15 minutes by default; this one may not outlive the CI token's two.
        Assert.InRange(JsonDocument.Parse(body).RootElement.GetProperty("expires_in").GetInt32(), 1, 120);
    }

    /// <summary>skopeo with <c>--src-creds oidc:TOKEN</c> and no login first, as a one-line CI step does it.</summary>
    private static Task<CommandResult> SkopeoCopyWithCredentialsAsync(string reference, string target, string token) =>
        Processes.RunAsync("skopeo", ["copy", "--src-tls-verify=false", "--retry-times", "0", "--src-creds", $"oidc:{token}", $"docker://{reference}", $"dir:{target}"]);
}
