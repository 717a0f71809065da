using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Upstream;

/// <summary>What an upstream HEAD on a manifest said.</summary>
internal sealed record UpstreamManifestHead(Digest? Digest, string? MediaType, long? Size);

/// <summary>Manifest bytes fetched from upstream, exactly as sent.</summary>
internal sealed record UpstreamManifest(byte[] Content, string? MediaType, Digest? DeclaredDigest);

/// <summary>
/// Talks to upstream registries: the bearer token flow, the Accept header, redirects and timeouts.
/// Every failure leaves as an <see cref="UpstreamException"/>.
/// </summary>
internal sealed partial class UpstreamRegistryClient(
    HttpClient http,
    UpstreamTokenCache tokens,
    UpstreamCircuits circuits,
    UpstreamBudgets budgets,
    Observability.ProxyMetrics metrics,
    IOptions<UpstreamRegistriesOptions> registries,
    IOptions<UpstreamTimeoutOptions> timeouts,
    ILogger<UpstreamRegistryClient> logger)
{
    public const string HttpClientName = "upstream";
    private const int MaxRedirects = 5;
    private const int MaxTokenResponseBytes = 1024 * 1024;

    private readonly UpstreamTimeoutOptions _timeouts = timeouts.Value;

    /// <summary>The operator's extra token realm hosts per registry name (as <see cref="UpstreamResolver"/> names registries).</summary>
    private readonly Dictionary<string, string[]> _realmHosts = new[] { (DockerHub.Registry, registries.Value.DockerHub.RealmHosts) }
        .Concat(registries.Value.Upstreams.Values.Where(u => u.Enabled).Select(u => (u.Host.ToLowerInvariant(), u.RealmHosts)))
        .ToDictionary(r => r.Item1, r => r.Item2.Select(TokenRealmPolicy.NormalizeHost).ToArray(), StringComparer.OrdinalIgnoreCase);

    public async Task<UpstreamManifestHead> HeadManifestAsync(UpstreamRepository repository, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(repository, HttpMethod.Head, $"manifests/{reference}", ManifestMediaTypes.Accepted, cancellationToken);
        EnsureSuccess(response, repository, reference);
        return new UpstreamManifestHead(ReadDigestHeader(response), response.Content.Headers.ContentType?.MediaType,
            response.Content.Headers.ContentLength);
    }

    public async Task<UpstreamManifest> GetManifestAsync(UpstreamRepository repository, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(repository, HttpMethod.Get, $"manifests/{reference}", ManifestMediaTypes.Accepted, cancellationToken);
        EnsureSuccess(response, repository, reference);
        var limit = registries.Value.MaxManifestBytes;
        var tooLarge = new UpstreamException(UpstreamFailureKind.BadResponse, $"manifest {reference} is larger than {limit} bytes");
        var content = response.Content.Headers.ContentLength > limit
            ? throw tooLarge
            : await ReadLimitedAsync(response, limit, cancellationToken) ?? throw tooLarge;
        return new UpstreamManifest(content, response.Content.Headers.ContentType?.MediaType, ReadDigestHeader(response));
    }

    /// <summary>Starts a blob download. The caller owns the response and reads its body through an idle timeout.</summary>
    public async Task<(HttpResponseMessage Response, Stream Body)> GetBlobAsync(
        UpstreamRepository repository, Digest digest, CancellationToken cancellationToken)
    {
        var response = await SendAsync(repository, HttpMethod.Get, $"blobs/{digest}", [], cancellationToken);
        try
        {
            EnsureSuccess(response, repository, digest.ToString());
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return (response, new IdleTimeoutStream(body, _timeouts.IdleTimeout));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Asks whether the repository serves a blob, and its size, without downloading it.</summary>
    public async Task<long?> HeadBlobAsync(UpstreamRepository repository, Digest digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(repository, HttpMethod.Head, $"blobs/{digest}", [], cancellationToken);
        EnsureSuccess(response, repository, digest.ToString());
        return response.Content.Headers.ContentLength;
    }

    /// <summary>
    /// Sends a request with the token flow:
    /// 1. attach a cached token when this registry's challenge is already known;
    /// 2. on 401 with a Bearer challenge, remember the challenge, fetch a token for the pull scope and retry once;
    /// 3. follow redirects by hand, dropping Authorization when the host changes (Docker Hub's blob CDN).
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(
        UpstreamRepository repository, HttpMethod method, string relative, string[] accept, CancellationToken cancellationToken)
    {
        if (repository.Mode == UpstreamCallMode.ConnectionTest)
        {
            return await SendTestAsync(repository, method, relative, accept, cancellationToken);
        }

        circuits.ThrowIfOpen(repository.Registry, failFast: repository.Mode == UpstreamCallMode.Fallback);
        try
        {
            HttpResponseMessage response;
            using (await budgets.AcquireAsync(repository.Registry, cancellationToken))
            {
                response = await SendWithTokenFlowAsync(repository, method, relative, accept, cancellationToken);
            }

            budgets.Observe(repository.Registry, response);
            metrics.UpstreamRequest(repository.Registry, ((int)response.StatusCode).ToString());
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                circuits.RecordFailure(repository.Registry);
            }
            else
            {
                circuits.RecordSuccess(repository.Registry);
            }

            return response;
        }
        catch (UpstreamException e)
        {
            metrics.UpstreamRequest(repository.Registry, e.Kind.ToString().ToLowerInvariant());
            // A 404 or a refusal is an answer: the upstream is up. So is a realm or redirect the proxy refused to follow
            // (a cached tag is still served stale then, but the circuit stays closed, so the client sees why).
            if (e.IsOutage && e.Kind != UpstreamFailureKind.Refused)
            {
                circuits.RecordFailure(repository.Registry);
            }
            else
            {
                circuits.RecordSuccess(repository.Registry);
            }

            throw;
        }
        catch (Exception)
        {
            circuits.ReleaseProbe(repository.Registry); // the caller gave up: the outcome says nothing about upstream
            throw;
        }
    }

    /// <summary>A connection test's request: its own budget, and the circuit neither asked nor told (<see cref="UpstreamCallMode.ConnectionTest"/>).</summary>
    private async Task<HttpResponseMessage> SendTestAsync(
        UpstreamRepository repository, HttpMethod method, string relative, string[] accept, CancellationToken cancellationToken)
    {
        using (await budgets.AcquireAsync("connection-test:" + repository.Registry, cancellationToken))
        {
            return await SendWithTokenFlowAsync(repository, method, relative, accept, cancellationToken);
        }
    }

    private async Task<HttpResponseMessage> SendWithTokenFlowAsync(
        UpstreamRepository repository, HttpMethod method, string relative, string[] accept, CancellationToken cancellationToken)
    {
        var uri = repository.UriFor(relative);
        var challenge = tokens.KnownChallenge(repository.Registry);
        var token = challenge is null ? null : await GetTokenAsync(challenge, repository, cancellationToken);
        var response = await SendFollowingRedirectsAsync(repository.BaseUrl, method, uri, accept, Bearer(token), cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized && repository.Credentials is { } account
            && response.Headers.WwwAuthenticate.Any(h => string.Equals(h.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
            && await BasicForAsync(account, cancellationToken) is { } basic)
        {
            // A registry with plain Basic auth (no token service): send the configured account to it directly.
            response.Dispose();
            return await SendFollowingRedirectsAsync(repository.BaseUrl, method, uri, accept, basic, cancellationToken);
        }

        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        if (!BearerChallenge.TryParse(response.Headers.WwwAuthenticate, out var fresh))
        {
            // A bearer challenge whose realm we cannot follow (none, relative, ftp:) is the upstream's fault, said as such;
            // any other 401 is the upstream's own answer.
            if (!response.Headers.WwwAuthenticate.Any(h => string.Equals(h.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)))
            {
                return response;
            }

            var realm = response.Headers.WwwAuthenticate.Where(h => string.Equals(h.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
                .Select(h => BearerChallenge.ParseParameters(h.Parameter ?? "").GetValueOrDefault("realm")).FirstOrDefault(r => r is not null);
            response.Dispose();
            throw RealmRefused(repository, "(none)", string.IsNullOrEmpty(realm) ? "the challenge names no realm"
                : $"the realm '{Shorten(realm)}' is not an absolute http or https URL");
        }

        response.Dispose();
        EnsureRealmAllowed(repository, fresh);
        if (challenge is not null)
        {
            tokens.Invalidate(challenge, TokenKey(repository));
        }

        tokens.RememberChallenge(repository.Registry, fresh);
        token = await GetTokenAsync(fresh, repository, cancellationToken);
        return await SendFollowingRedirectsAsync(repository.BaseUrl, method, uri, accept, Bearer(token), cancellationToken);
    }

    /// <summary>
    /// The upstream's account goes to the realm, and the realm comes from a 401 that the upstream, or a host it redirected
    /// to, sent: it must be the configured upstream's own site or one the operator listed (<see cref="TokenRealmPolicy"/>).
    /// </summary>
    private void EnsureRealmAllowed(UpstreamRepository repository, BearerChallenge challenge)
    {
        if (TokenRealmPolicy.IsAllowed(repository.BaseUrl, challenge.Realm, _realmHosts.GetValueOrDefault(repository.Registry, []), out var reason))
        {
            return;
        }

        throw RealmRefused(repository, challenge.Realm.IdnHost, reason); // the host, never the whole URL: it may carry user information
    }

    /// <summary>An upstream's text quoted in a message: at most 100 characters, printable ASCII only.</summary>
    private static string Shorten(string text) =>
        new([.. text.Take(100).Select(c => c is >= ' ' and <= '~' ? c : '?')]);

    private UpstreamException RealmRefused(UpstreamRepository repository, string host, string reason)
    {
        LogRealmRefused(repository.Registry, host, reason);
        return new UpstreamException(UpstreamFailureKind.Refused,
            $"{repository.Registry} named a token realm on {host}, refused: {reason}. No credentials were sent; a registry with a separate " +
            "auth server has its host listed in RealmHosts");
    }

    private static AuthenticationHeaderValue? Bearer(string? token) => token is null ? null : new AuthenticationHeaderValue("Bearer", token);

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(
        Uri upstream, HttpMethod method, Uri uri, string[] accept, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        var origin = uri;
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, uri);
            foreach (var mediaType in accept)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
            }

            // Credentials are for the registry only; never send them to the CDN a blob redirects to.
            if (authorization is not null && SameAuthority(uri, origin))
            {
                request.Headers.Authorization = authorization;
            }

            var response = await SendWithHeadersTimeoutAsync(request, upstream, cancellationToken);
            if (!IsRedirect(response.StatusCode))
            {
                return response;
            }

            var location = response.Headers.Location;
            response.Dispose();
            if (location is null || hop >= MaxRedirects)
            {
                throw new UpstreamException(UpstreamFailureKind.BadResponse, $"too many or empty redirects from {origin.Host}");
            }

            var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (!RedirectPolicy.IsAllowed(origin, next, out var refused))
            {
                LogRedirectRefused(origin.Host, next.IdnHost, refused);
                throw new UpstreamException(UpstreamFailureKind.Refused, $"{origin.Host} redirected to {next.IdnHost}, not followed: {refused}");
            }

            uri = next;
        }
    }

    /// <summary>
    /// Sends one request on behalf of the configured <paramref name="upstream"/>; the connect check
    /// (<see cref="UpstreamConnector"/>) reads it from the request to know where this request may lead.
    /// </summary>
    private async Task<HttpResponseMessage> SendWithHeadersTimeoutAsync(HttpRequestMessage request, Uri upstream, CancellationToken cancellationToken)
    {
        request.Options.Set(UpstreamConnector.UpstreamOption, upstream);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeouts.ResponseHeadersTimeout);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogUpstreamTimeout(request.RequestUri!.Host);
            throw new UpstreamException(UpstreamFailureKind.Timeout, $"{request.RequestUri!.Host} sent no answer within " +
                $"{_timeouts.ResponseHeadersTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e) when (e.InnerException is UpstreamException { Kind: UpstreamFailureKind.Refused } refused)
        {
            throw new UpstreamException(UpstreamFailureKind.Refused, refused.Message, inner: e); // logged by the connector
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            LogUpstreamUnreachable(request.RequestUri!.Host, e.Message);
            throw new UpstreamException(UpstreamFailureKind.Unreachable, $"{request.RequestUri!.Host}: {e.Message}", inner: e);
        }
    }

    private Task<string> GetTokenAsync(BearerChallenge challenge, UpstreamRepository repository, CancellationToken cancellationToken) =>
        tokens.GetAsync(challenge, TokenKey(repository), () => FetchTokenAsync(challenge, repository), cancellationToken);

    /// <summary>Tokens are per scope and per account: a group's own Docker Hub account gets tokens of its own.</summary>
    private static string TokenKey(UpstreamRepository repository) =>
        repository.Credentials is null ? repository.PullScope : $"{repository.PullScope}|{repository.Credentials.CacheIdentity}";

    /// <summary>
    /// GET realm?service=…&amp;scope=…, with Basic credentials when the repository carries an account (the group's own,
    /// else the one configured for that registry), else anonymous, as public images allow.
    /// </summary>
    private async Task<UpstreamToken> FetchTokenAsync(BearerChallenge challenge, UpstreamRepository repository)
    {
        var scope = repository.PullScope;
        var query = new StringBuilder(challenge.Realm.Query.TrimStart('?'));
        if (challenge.Service is not null)
        {
            query.Append(query.Length > 0 ? "&" : "").Append("service=").Append(Uri.EscapeDataString(challenge.Service));
        }

        query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(scope));
        var uri = new UriBuilder(challenge.Realm) { Query = query.ToString() }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (repository.Credentials is { } account)
        {
            request.Headers.Authorization = await BasicForAsync(account, CancellationToken.None);
        }

        // A token fetch is shared by every waiter, so no one caller's cancellation may end it; the timeouts still apply.
        using var response = await SendWithHeadersTimeoutAsync(request, repository.BaseUrl, CancellationToken.None);
        if (!response.IsSuccessStatusCode)
        {
            var kind = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => UpstreamFailureKind.Denied,
                HttpStatusCode.TooManyRequests => UpstreamFailureKind.RateLimited,
                _ => UpstreamFailureKind.BadResponse,
            };
            throw new UpstreamException(kind, $"token endpoint {uri.Host} answered {(int)response.StatusCode}");
        }

        var body = await ReadLimitedAsync(response, MaxTokenResponseBytes, CancellationToken.None)
            ?? throw new UpstreamException(UpstreamFailureKind.BadResponse, "token response too large");
        return ParseToken(body);
    }

    /// <summary>Basic credentials for the account; null when its secret is gone (then the request goes anonymous, as with none).</summary>
    private static async Task<AuthenticationHeaderValue?> BasicForAsync(UpstreamCredentials account, CancellationToken cancellationToken) =>
        await account.ResolveAsync(cancellationToken) is var (identity, secret)
            ? new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{identity}:{secret}")))
            : null;

    internal static UpstreamToken ParseToken(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new UpstreamException(UpstreamFailureKind.BadResponse, "token response is not a JSON object");
            }

            var value = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            if (string.IsNullOrEmpty(value))
            {
                throw new UpstreamException(UpstreamFailureKind.BadResponse, "token response has no token");
            }

            var expiresIn = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : UpstreamTokenCache.DefaultLifetime;
            return new UpstreamToken(value, expiresIn);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new UpstreamException(UpstreamFailureKind.BadResponse, "token response is not valid JSON", inner: e);
        }
    }

    private static void EnsureSuccess(HttpResponseMessage response, UpstreamRepository repository, string reference)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        // Written the way users type references (docker prints this message as is): name:tag, or name@digest.
        EnsureSuccess(response, $"{repository}{(reference.Contains(':') ? '@' : ':')}{reference} → {(int)response.StatusCode}");
    }

    /// <summary>Throws the failure an unsuccessful answer means, saying <paramref name="what"/> was asked.</summary>
    private static void EnsureSuccess(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        throw response.StatusCode switch
        {
            HttpStatusCode.NotFound => new UpstreamException(UpstreamFailureKind.NotFound, what),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new UpstreamException(UpstreamFailureKind.Denied, what),
            HttpStatusCode.TooManyRequests => new UpstreamException(UpstreamFailureKind.RateLimited, what, response.Headers.RetryAfter?.Delta),
            _ => new UpstreamException(UpstreamFailureKind.BadResponse, what),
        };
    }

    private static Digest? ReadDigestHeader(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Docker-Content-Digest", out var values) &&
        Digest.TryParse(values.FirstOrDefault(), out var digest, out _) ? digest : null;

    /// <summary>Reads a small body, or returns null when it is longer than <paramref name="limit"/>.</summary>
    private async Task<byte[]?> ReadLimitedAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        await using var body = new IdleTimeoutStream(await response.Content.ReadAsStreamAsync(cancellationToken), _timeouts.IdleTimeout);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static bool SameAuthority(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    [LoggerMessage(EventId = LogEvents.UpstreamTimeout, Level = LogLevel.Warning, Message = "Upstream {Host} timed out")]
    private partial void LogUpstreamTimeout(string host);

    [LoggerMessage(EventId = LogEvents.UpstreamRealmRefused, Level = LogLevel.Warning,
        Message = "Upstream {Registry} named a token realm on {RealmHost}; refused, no credentials sent: {Reason}")]
    private partial void LogRealmRefused(string registry, string realmHost, string reason);

    [LoggerMessage(EventId = LogEvents.UpstreamRedirectRefused, Level = LogLevel.Warning,
        Message = "Upstream {Host} redirected to {Target}; not followed: {Reason}")]
    private partial void LogRedirectRefused(string host, string target, string reason);

    [LoggerMessage(EventId = LogEvents.UpstreamUnreachable, Level = LogLevel.Warning, Message = "Upstream {Host} unreachable: {Reason}")]
    private partial void LogUpstreamUnreachable(string host, string reason);
}
