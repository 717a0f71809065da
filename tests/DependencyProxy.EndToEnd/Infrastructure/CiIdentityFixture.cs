using System.Text.Json;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// One proxy, two CI issuers it trusts (GitLab-style and GitHub-style, listed through the environment as a container
/// sets it), one it does not, and one dockerd, for the whole <c>CiIdentityTests</c> class. The private group
/// <c>acme</c> (with the subgroup <c>acme/tools</c>) has trust rules made through the REST API, as an owner makes them.
/// Started by the first test that asks, since it needs the collection's upstream.
/// </summary>
public sealed class CiIdentityFixture : IAsyncLifetime
{
    /// <summary>The audience the GitLab jobs ask for in <c>id_tokens</c> (any string; the proxy's URL is the usual choice).</summary>
    public const string GitLabAudience = "https://registry.acme.test";

    /// <summary>The audience the GitHub workflows put in <c>&amp;audience=</c>.</summary>
    public const string GitHubAudience = "dependency-proxy";

    /// <summary>GitLab projects under <c>acme/</c> on protected refs, reporter.</summary>
    public const string GitLabRule = "gitlab-protected";

    /// <summary>The GitHub repository <c>acme/app</c>, guest.</summary>
    public const string GitHubRule = "github-app";

    /// <summary>The GitLab project <c>acme-ops/deploy</c> only: the rule the deletion test removes.</summary>
    public const string DoomedRule = "gitlab-deploy";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _started;

    public ProxyServer Proxy { get; private set; } = null!;

    public DockerEngine Engine { get; private set; } = null!;

    public CiIssuer GitLab { get; private set; } = null!;

    public CiIssuer GitHub { get; private set; } = null!;

    /// <summary>Serves keys too, but no configuration lists it: the proxy must never contact it.</summary>
    public CiIssuer Unlisted { get; private set; } = null!;

    /// <summary>Trust rule ids by name.</summary>
    public Dictionary<string, long> Rules { get; } = [];

    public string Work { get; private set; } = "";

    public async Task StartAsync(UpstreamFixture upstream)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_started)
            {
                await StartOnceAsync(upstream);
                _started = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StartOnceAsync(UpstreamFixture upstream)
    {
        GitLab = await CiIssuer.StartAsync();
        GitHub = await CiIssuer.StartAsync();
        Unlisted = await CiIssuer.StartAsync();
        Work = Path.Combine(upstream.WorkDirectory, $"ci-{Guid.NewGuid():N}");
        var data = Path.Combine(Work, "data");
        Directory.CreateDirectory(data);
        // Hostile tokens are failed logins from 127.0.0.1 like any other: the class makes more than the default ten.
        Proxy = new ProxyServer(data, upstream.Registry.Url, "--DependencyProxy:Auth:MaxFailedLogins=1000")
        {
            Environment = new Dictionary<string, string>
            {
                ["DependencyProxy__Oidc__Issuers__gitlab__Url"] = GitLab.Url,
                ["DependencyProxy__Oidc__Issuers__github__Url"] = GitHub.Url,
            },
        };
        await Proxy.StartAsync();
        var engine = DockerEngine.StartAsync(Proxy.Host);

        using var api = new RestApi(Proxy, ProxyServer.RootToken);
        var acme = await api.PostAsync("groups", new { name = "Acme", path = "acme", visibility = "private" });
        await api.PostAsync("groups", new { name = "Tools", path = "tools", visibility = "private", parent_id = acme.GetProperty("id").GetInt64() });
        // Public: any valid CI token pulls from it, with no rule of its own (the outside review's finding 1).
        await api.PostAsync("groups", new { name = "Pub", path = "pub", visibility = "public" });
        await AddRuleAsync(api, GitLabRule, GitLab.Url, GitLabAudience, new() { ["project_path"] = "acme/*", ["ref_protected"] = "true" }, "reporter");
        await AddRuleAsync(api, GitHubRule, GitHub.Url, GitHubAudience, new() { ["repository"] = "acme/app" }, "guest");
        await AddRuleAsync(api, DoomedRule, GitLab.Url, GitLabAudience, new() { ["project_path"] = "acme-ops/deploy" }, "reporter");
        Engine = await engine;
    }

    private async Task AddRuleAsync(RestApi api, string name, string issuer, string audience, Dictionary<string, string> claims, string accessLevel)
    {
        var rule = await api.PostAsync("groups/acme/ci_identity_trusts", new { name, issuer, audience, claims, access_level = accessLevel });
        Rules[name] = rule.GetProperty("id").GetInt64();
    }

    /// <summary>The group's audit of CI identity pulls, newest first.</summary>
    public async Task<JsonElement> PullAuditAsync()
    {
        using var api = new RestApi(Proxy, ProxyServer.RootToken);
        return await api.GetAsync("groups/acme/ci_identity_trusts/pulls");
    }

    /// <summary>
    /// Every token the issuers minted, and each one's signature alone: none may appear in the proxy's log (a CI token is
    /// a secret for as long as it lives).
    /// </summary>
    public void AssertLogHoldsNoToken()
    {
        var log = Proxy.Log();
        foreach (var token in GitLab.Minted.Concat(GitHub.Minted).Concat(Unlisted.Minted))
        {
            Assert.DoesNotContain(token, log);
            var signature = token[(token.LastIndexOf('.') + 1)..];
            if (signature.Length > 0)
            {
                Assert.DoesNotContain(signature[..Math.Min(24, signature.Length)], log);
            }

            // The payload is no secret on its own, but a log line that carries it carries the token's claims verbatim.
            Assert.DoesNotContain(token.Split('.')[1], log);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Whatever started, even when the start failed halfway.
        IAsyncDisposable?[] parts = [Engine, Proxy, GitLab, GitHub, Unlisted];
        foreach (var part in parts)
        {
            if (part is not null)
            {
                await part.DisposeAsync();
            }
        }

        _gate.Dispose();
    }
}
