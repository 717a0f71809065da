using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.CiIdentity;

/// <summary>
/// One proxy for a class of CI identity tests: a fake registry upstream, two configured issuers (GitLab- and GitHub-like,
/// one RSA, one EC) and one that is not configured, private groups <c>acme</c> (with <c>acme/team</c>) and <c>other</c>, a
/// public group <c>pub</c>, and trust rules on them.
/// </summary>
public sealed class CiIdentityFixture : IAsyncLifetime
{
    public const string Audience = "https://dp.example";

    public FakeUpstream Upstream { get; private set; } = null!;

    public FakeCiIssuer GitLab { get; private set; } = null!;

    public FakeCiIssuer GitHub { get; private set; } = null!;

    public FakeCiIssuer Unlisted { get; private set; } = null!;

    public ProxyFactory Proxy { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    private int _address;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        GitLab = await FakeCiIssuer.StartAsync();
        GitHub = await FakeCiIssuer.StartAsync(ec: true);
        Unlisted = await FakeCiIssuer.StartAsync();
        Proxy = new ProxyFactory(Upstream.Url, new Dictionary<string, string>
        {
            ["DependencyProxy:Oidc:Issuers:gitlab:Url"] = GitLab.Url,
            ["DependencyProxy:Oidc:Issuers:github:Url"] = GitHub.Url,
            ["DependencyProxy:Oidc:Issuers:github:MaxTokenLifetime"] = "01:00:00",
            // Everything any part of the server logs, so that the token's absence from the logs means something.
            ["Logging:LogLevel:Default"] = "Trace",
        });
        Client = Proxy.CreateClient();
        Api = new ApiClient(Client);
        TestImage.Add(Upstream, "library/alpine", "latest", 100);
        await Proxy.CreateGroupAsync("acme", "private");
        var acme = (await Api.GetAsync("/groups/acme", ProxyFactory.RootToken)).Body.GetProperty("id").GetInt64();
        await Api.PostAsync("/groups", ProxyFactory.RootToken, new { name = "team", path = "team", parent_id = acme });
        await Proxy.CreateGroupAsync("other", "private");
        await Proxy.CreateGroupAsync("pub", "public");
        await AddRuleAsync("acme", GitLab.Url, new Dictionary<string, string> { ["project_path"] = "acme/*", ["ref_protected"] = "true" });
        await AddRuleAsync("acme", GitHub.Url, new Dictionary<string, string> { ["repository"] = "acme/app", ["ref"] = "refs/heads/main" });
        await AddRuleAsync("other", GitLab.Url, new Dictionary<string, string> { ["project_path"] = "other/*" });
        await AddRuleAsync("pub", GitLab.Url, new Dictionary<string, string> { ["project_path"] = "pub/*" });
        // A private group whose one rule differs from acme's in audience and claims (second outside review, finding 1).
        await Proxy.CreateGroupAsync("hidden", "private");
        await AddRuleAsync("hidden", GitLab.Url, new Dictionary<string, string> { ["project_path"] = "hidden/*" }, "https://hidden.example");
    }

    public async Task<long> AddRuleAsync(string group, string issuer, Dictionary<string, string> claims, string audience = Audience, int level = 20)
    {
        var (status, body) = await Api.PostAsync($"/groups/{Uri.EscapeDataString(group)}/ci_identity_trusts", ProxyFactory.RootToken,
            new { name = $"rule for {group}", issuer, audience, claims, access_level = level });
        return status == HttpStatusCode.Created ? body.GetProperty("id").GetInt64() : throw new InvalidOperationException($"{status} {body}");
    }

    /// <summary>GitLab CI's claims of a job in <paramref name="projectPath"/>, as its <c>id_tokens</c> carry them.</summary>
    public static Dictionary<string, object> GitLabClaims(string projectPath = "acme/app", string refProtected = "true") => new()
    {
        ["sub"] = $"project_path:{projectPath}:ref_type:branch:ref:main",
        ["project_path"] = projectPath,
        ["namespace_path"] = projectPath.Split('/')[0],
        ["ref"] = "main",
        ["ref_type"] = "branch",
        ["ref_protected"] = refProtected,
        ["pipeline_source"] = "push",
        ["user_login"] = "alice",
    };

    /// <summary>GitHub Actions' claims of a workflow run in <paramref name="repository"/>.</summary>
    public static Dictionary<string, object> GitHubClaims(string repository = "acme/app") => new()
    {
        ["sub"] = $"repo:{repository}:ref:refs/heads/main",
        ["repository"] = repository,
        ["repository_owner"] = repository.Split('/')[0],
        ["ref"] = "refs/heads/main",
        ["workflow"] = "build",
        ["job_workflow_ref"] = $"{repository}/.github/workflows/build.yml@refs/heads/main",
    };

    /// <summary>
    /// <c>GET /jwt/auth</c> as <c>oidc</c> with <paramref name="token"/>, for a pull of <paramref name="repository"/>; from
    /// an address of its own unless one is given, so refusals in one test do not throttle another.
    /// </summary>
    public Task<(HttpStatusCode Status, string? Jwt, string Body, int ExpiresIn)> LoginAsync(string token, string? repository, string? address = null) =>
        CiLogin.LoginAsync(Client, token, repository, address ?? $"10.77.{Interlocked.Increment(ref _address) / 250}.{_address % 250 + 1}");

    public static string Repository(string group) => $"{group}/dependency_proxy/containers/alpine";

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        await GitLab.DisposeAsync();
        await GitHub.DisposeAsync();
        await Unlisted.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

/// <summary>Docker's login with a CI token: <c>GET /jwt/auth</c> as <c>oidc</c>, Basic, from a given client address.</summary>
public static class CiLogin
{
    public static async Task<(HttpStatusCode Status, string? Jwt, string Body, int ExpiresIn)> LoginAsync(
        HttpClient client, string token, string? repository, string address)
    {
        var scope = repository is null ? "" : $"&scope=repository:{repository}:pull";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/jwt/auth?service=dependency_proxy{scope}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"oidc:{token}")));
        request.Headers.Add(TestClientAddress.Header, address);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            return (response.StatusCode, null, body, 0);
        }

        var json = JsonDocument.Parse(body).RootElement;
        return (response.StatusCode, json.GetProperty("token").GetString(), body, json.GetProperty("expires_in").GetInt32());
    }
}
