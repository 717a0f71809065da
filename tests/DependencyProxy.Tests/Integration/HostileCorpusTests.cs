using System.Diagnostics;
using System.Net;
using System.Text;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Thousands of generated malformed requests to every route: no 500, no hang, and nothing read or written outside the
/// data directory (a canary file beside it never shows up in an answer, and no new file appears there).
/// Deterministic: the corpus comes from a fixed seed, so a failure can be replayed.
/// </summary>
public sealed class HostileCorpusTests : ProxyTestBase
{
    /// <summary>A parent of the data directory that only this test uses, so anything appearing in it is the proxy's doing.</summary>
    private readonly string _outside = Path.Combine(Path.GetTempPath(), $"dp-corpus-{Guid.NewGuid():N}");

    protected override Dictionary<string, string> Settings => new() { ["DependencyProxy:DataDirectory"] = Path.Combine(_outside, "data") };

    private static readonly string[] Segments =
    [
        "grp", "a", "A", "..", ".", "%2e%2e", "%2F", "a%2Fb", "a..b", "-a", "a-", "_", "__", "a__b", "a___b", "ä", "%C3%A4", "a b", "a%20b",
        new string('a', 300), "dependency_proxy", "containers", "manifests", "blobs", "tags", "list", "_catalog", "uploads", "library",
        "docker.io", "ghcr.io", "169.254.169.254", "localhost", "a:b", "%00", "%ZZ", "\\", "a\\b", "~", "$(id)", "`id`", "';--", "<x>",
    ];

    private static readonly string[] References =
    [
        "latest", "LATEST", ".x", "-x", new string('t', 129), "sha256:" + new string('a', 64), "sha256:" + new string('A', 64), "sha256:abc",
        "sha512:" + new string('b', 128), "md5:00", "sha256:../../etc/passwd", "sha256:%2e%2e", ":", "a:b:c", "", "%", "x%y",
    ];

    private static readonly string[] HeaderValues =
    [
        "", " ", "bytes=0-", "bytes=-1", "bytes=1-0", "bytes=0-1,2-3", "bytes=99999999999999999999-", "bytes=abc", "items=1-2",
        "Bearer", "Bearer x.y.z", "Bearer eyJhbGciOiJub25lIn0.eyJraW5kIjoiVXNlciJ9.", "Basic", "Basic !!!", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(":")),
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("root:" + new string('x', 2000))), "*/*", "application/json;q=abc", "text/html, */*;q=0.1",
        new string('x', 4000), "a\tb",
    ];

    private static readonly string[] JsonBodies =
    [
        "", "{", "}", "[]", "null", "1", "\"s\"", "{\"name\":null}", "{\"name\":1e999}", "{\"user_id\":-1,\"access_level\":99999999999}",
        "{\"path\":\"../../x\",\"name\":\"x\"}", "{\"scopes\":\"api,,,,\"}", "{\"scopes\":[1,2]}", "{\"expires_at\":\"9999-99-99\"}",
        "{\"a\":" + string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40)) + "}", "{\"enabled\":\"true\",\"ttl\":\"-5\"}",
        "{\"name\":\"" + new string('n', 5000) + "\",\"path\":\"p\"}", "{\"visibility\":\"public\\u0000\"}", "\uFEFF{}",
    ];

    [Fact]
    public async Task ThousandsOfMalformedRequests_NeverGiveA500_NeverHang_AndStayInsideTheDataDirectory()
    {
        var outside = _outside;
        var canary = Path.Combine(outside, $"canary-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(canary, "CANARY-7f3e9b");
        var before = Directory.GetFileSystemEntries(outside).ToHashSet();
        try
        {
            var antiforgery = await SignInToThePagesAsync();
            var random = new Random(20261128);
            var failures = new List<string>();
            var statuses = new Dictionary<int, int>();
            var pageStatuses = new HashSet<int>();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 3000; i++)
            {
                using var request = NextRequest(random, Path.GetFileName(canary), antiforgery);
                var description = $"{request.Method} {request.RequestUri} [{string.Join("; ", request.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value).Length}ch"))}]";
                try
                {
                    using var response = await Client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(10));
                    var body = await response.Content.ReadAsStringAsync();
                    statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
                    // Absolute once sent: the client resolves the relative address against its base.
                    if (PagePaths.Any(p => request.RequestUri!.AbsolutePath.StartsWith(p.Split('{')[0], StringComparison.Ordinal)))
                    {
                        pageStatuses.Add((int)response.StatusCode);
                    }

                    if ((int)response.StatusCode >= 500 && response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout))
                    {
                        failures.Add($"{(int)response.StatusCode} for {description}");
                    }

                    if (body.Contains("CANARY-7f3e9b", StringComparison.Ordinal))
                    {
                        failures.Add($"canary leaked for {description}");
                    }
                }
                catch (TimeoutException)
                {
                    failures.Add($"hang: {description}");
                }
                catch (InvalidOperationException)
                {
                    // The test client itself refuses some URIs (e.g. %00); the server never saw them.
                }
            }

            Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
            // The corpus really reached the server, and drew many kinds of answers.
            Assert.True(statuses.Values.Sum() > 2500, $"only {statuses.Values.Sum()} requests were answered");
            Assert.True(statuses.Count >= 6, string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
            // The pages were reached while signed in: accepted, refused and missing answers all came back.
            Assert.True(pageStatuses.IsSupersetOf([200, 400, 404]), string.Join(", ", pageStatuses));
            Assert.Equal(before, Directory.GetFileSystemEntries(outside).ToHashSet());
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(3), $"took {watch.Elapsed}");
        }
        finally
        {
            Directory.Delete(_outside, recursive: true);
        }
    }

    /// <summary>Root with a password, signed in on the test client, so the corpus reaches the pages' handlers; returns the form token.</summary>
    private async Task<string> SignInToThePagesAsync()
    {
        await Proxy.Get<DependencyProxy.Identity.UserAccounts>().SetPasswordAsync("root", "root-password-1", default);
        var form = await Client.GetStringAsync("/users/sign_in");
        var token = DependencyProxy.Tests.Web.WebClient.AntiforgeryToken(form);
        using var signIn = await Client.PostAsync("/users/sign_in", new FormUrlEncodedContent(
            [new("username", "root"), new("password", "root-password-1"), new("__RequestVerificationToken", token)]));
        var groups = await Client.GetStringAsync("/groups");
        Assert.Contains("New group", groups);
        return DependencyProxy.Tests.Web.WebClient.AntiforgeryToken(groups);
    }

    private static readonly string[] PagePaths =
    [
        "/groups", "/groups/{g}", "/groups/-/settings/{g}", "/groups/-/members/{g}", "/-/profile/personal_access_tokens", "/-/profile/password",
        "/admin", "/users/sign_in", "/-/error", "/-/assets/{g}",
        "/groups/-/virtual_registries/{g}", "/groups/-/virtual_registries/container/registries/1", "/groups/-/virtual_registries/container/upstreams/{g}",
        "/groups/-/ci_identity/{g}",
    ];

    // Not Revoke (it would revoke root's API token the corpus uses) and no sign-out: everything else goes.
    private static readonly string[] PageHandlers = ["", "Clear", "Proxy", "Cleanup", "DockerHub", "Upstream", "RemoveUpstream", "Add", "Change", "Remove",
        "Create", "Block", "x", "%00", "Edit", "Move", "Link", "AddUpstream", "RemoveUpstream", "DeleteEntry", "ClearCache"];

    private static readonly string[] FormFields = ["name", "path", "parent", "visibility", "ttl", "enabled", "revalidation_window_seconds", "identity",
        "secret", "registry", "username", "role", "user_id", "id", "blocked", "scopes", "expires_at", "return_to", "password", "filter", "search", "page",
        "link_id", "upstream_id", "position", "entry", "cache_validity_hours", "description", "issuer", "audience", "claims", "access_level"];

    private static HttpRequestMessage NextRequest(Random random, string canaryName, string antiforgery)
    {
        T Pick<T>(T[] items) => items[random.Next(items.Length)];
        var route = random.Next(10);
        HttpRequestMessage request;
        switch (route)
        {
            case < 5:
                // Registry paths: random segments around the real shape, sometimes aiming at the canary.
                var segments = Enumerable.Range(0, random.Next(1, 8)).Select(_ => Pick(Segments)).ToList();
                if (random.Next(3) == 0)
                {
                    segments.InsertRange(random.Next(segments.Count), ["grp", "dependency_proxy", "containers"]);
                }

                if (random.Next(4) == 0)
                {
                    segments.AddRange(["..", "..", "..", canaryName]);
                }

                var path = $"/v2/{string.Join('/', segments)}/{Pick(["manifests", "blobs", "tags", "x"])}/{Pick(References)}";
                request = new HttpRequestMessage(Pick([HttpMethod.Get, HttpMethod.Get, HttpMethod.Head, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Options]),
                    path + (random.Next(5) == 0 ? $"?ns={Pick(Segments)}" : ""));
                break;
            case < 7:
                // The token endpoint with odd scopes, services and credentials.
                request = new HttpRequestMessage(HttpMethod.Get,
                    $"/jwt/auth?service={Pick(["dependency_proxy", "", "x", "%00"])}&scope=repository:{Pick(Segments)}/{Pick(Segments)}:{Pick(["pull", "push", "*", ""])}");
                break;
            case 9 when random.Next(2) == 0:
                // The pages, signed in as root, with odd paths, handlers and form values (mostly with the anti-forgery token).
                var page = Pick(PagePaths).Replace("{g}", Pick(["grp", .. Segments, $"../../{canaryName}", "site.css", "grp/../grp"]));
                var query = $"?handler={Pick(PageHandlers)}&{Pick(FormFields)}={Uri.EscapeDataString(Pick(References))}";
                var fields = Enumerable.Range(0, random.Next(0, 6))
                    .Select(_ => new KeyValuePair<string, string>(Pick(FormFields), Pick([.. References, .. Segments, .. HeaderValues, "", "-1", "99999999999999999999"])))
                    .ToList();
                if (random.Next(5) != 0)
                {
                    fields.Add(new("__RequestVerificationToken", antiforgery));
                }

                request = new HttpRequestMessage(Pick([HttpMethod.Get, HttpMethod.Post, HttpMethod.Post]), page + query)
                {
                    Content = new FormUrlEncodedContent(fields),
                };
                break;
            default:
                // The REST API with odd ids and bodies, as root (so authorization is not what stops them).
                var api = Pick(["/groups", "/groups/{id}", "/groups/{id}/members", "/groups/{id}/members/{id}", "/users", "/users/{id}/personal_access_tokens",
                    "/personal_access_tokens/{id}", "/groups/{id}/deploy_tokens", "/groups/{id}/access_tokens", "/groups/{id}/dependency_proxy/settings",
                    "/groups/{id}/dependency_proxy/image_ttl_policy", "/groups/{id}/dependency_proxy/upstream_credentials/{id}",
                    "/groups/{id}/dependency_proxy/manifests", "/groups/{id}/dependency_proxy/statistics"]).Replace("{id}", Pick(["1", "0", "-1", "99999999999999999999", "grp", "a%2Fb", "..%2F..", "x"]));
                request = new HttpRequestMessage(Pick([HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete]),
                    $"/api/v4{api}?page={Pick(["1", "0", "-1", "x", "99999999999"])}&per_page={Pick(["1", "1000", "x"])}")
                {
                    Content = new StringContent(Pick(JsonBodies), Encoding.UTF8, Pick(["application/json", "text/plain", "application/x-www-form-urlencoded"])),
                };
                request.Headers.Add("PRIVATE-TOKEN", ProxyFactory.RootToken);
                break;
        }

        foreach (var header in new[] { "Range", "Accept", "Authorization" })
        {
            if (random.Next(3) == 0 && !(header == "Authorization" && request.Headers.Contains("PRIVATE-TOKEN")))
            {
                request.Headers.TryAddWithoutValidation(header, Pick(HeaderValues));
            }
        }

        return request;
    }
}
