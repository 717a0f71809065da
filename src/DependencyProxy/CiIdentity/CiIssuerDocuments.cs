using System.Net;
using System.Text.Json;
using DependencyProxy.Upstream;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.CiIdentity;

/// <summary>
/// Fetches a configured issuer's discovery document and key set, and nothing else: the URLs come from configuration (the
/// issuer's URL, its <c>JwksUrl</c>) or from the discovery document, whose <c>jwks_uri</c> must be on the issuer's own
/// scheme, host and port. Through the upstream client's handler: no redirects followed, every connection checked by
/// <see cref="UpstreamConnector"/> (the issuer's own host is the operator's choice; anything else must be public). Each
/// answer is bounded in size and time.
/// </summary>
internal sealed class CiIssuerDocuments(IHttpClientFactory clients, Microsoft.Extensions.Options.IOptions<CiIdentityOptions> options)
{
    public const string HttpClientName = "ci-issuer";

    /// <summary>Discovery documents and key sets are a few kilobytes.</summary>
    public const int MaxResponseBytes = 256 * 1024;

    /// <summary>The default of <see cref="CiIdentityOptions.FetchTimeout"/>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The longest <see cref="CiIdentityOptions.FetchTimeout"/>, and HttpClient's own limit (ours is the one that counts).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(60);

    private TimeSpan Timeout => options.Value.FetchTimeout;

    /// <summary>The issuer's signing keys (RSA and EC keys of its key set not marked for encryption).</summary>
    public async Task<IReadOnlyList<SecurityKey>> FetchKeysAsync(CiIssuerOptions issuer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var jwksUrl = issuer.JwksUrl is { } configured ? new Uri(configured) : await DiscoverJwksUrlAsync(issuer, timeout.Token);
        var json = await GetAsync(jwksUrl, issuer.JwksUrl is null ? new Uri(issuer.Url) : jwksUrl, timeout.Token);
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (ArgumentException e)
        {
            throw new CiIssuerException($"the key set at {jwksUrl} is not a JSON Web Key Set: {e.Message}");
        }

        var keys = set.Keys
            .Where(k => k.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve && k.Use is null or "sig")
            .Where(k => !k.HasPrivateKey)
            .Cast<SecurityKey>()
            .ToList();
        return keys.Count > 0 ? keys : throw new CiIssuerException($"the key set at {jwksUrl} holds no RSA or EC signing key");
    }

    private async Task<Uri> DiscoverJwksUrlAsync(CiIssuerOptions issuer, CancellationToken cancellationToken)
    {
        var issuerUri = new Uri(issuer.Url);
        var discovery = new Uri($"{issuer.Url.TrimEnd('/')}/.well-known/openid-configuration");
        var json = await GetAsync(discovery, issuerUri, cancellationToken);
        string? iss, jwks;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            iss = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("issuer", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            jwks = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("jwks_uri", out var j) && j.ValueKind == JsonValueKind.String ? j.GetString() : null;
        }
        catch (JsonException)
        {
            throw new CiIssuerException($"the discovery document at {discovery} is not JSON");
        }

        if (!string.Equals(iss, issuer.Url, StringComparison.Ordinal))
        {
            throw new CiIssuerException($"the discovery document at {discovery} names another issuer ('{Shorten(iss)}')");
        }

        // On the issuer's own site only: a document that points elsewhere would make this server contact a host nobody listed.
        if (!Uri.TryCreate(jwks, UriKind.Absolute, out var jwksUri) || jwksUri.Scheme != issuerUri.Scheme
            || !string.Equals(jwksUri.IdnHost, issuerUri.IdnHost, StringComparison.OrdinalIgnoreCase) || jwksUri.Port != issuerUri.Port
            || jwksUri.UserInfo.Length > 0)
        {
            throw new CiIssuerException(
                $"the discovery document's jwks_uri ('{Shorten(jwks)}') is not on {issuerUri.Scheme}://{issuerUri.Authority}: configure JwksUrl to use it");
        }

        return jwksUri;
    }

    /// <summary>A GET of <paramref name="url"/>, 200 only (a redirect is a failure), at most <see cref="MaxResponseBytes"/>.</summary>
    private async Task<string> GetAsync(Uri url, Uri configured, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(UpstreamConnector.UpstreamOption, configured);
        request.Headers.Accept.ParseAdd("application/json");
        try
        {
            using var response = await clients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new CiIssuerException($"{url} answered {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength > MaxResponseBytes)
            {
                throw new CiIssuerException($"{url} sent more than {MaxResponseBytes} bytes");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxResponseBytes + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
            {
                total += read;
            }

            return total > MaxResponseBytes
                ? throw new CiIssuerException($"{url} sent more than {MaxResponseBytes} bytes")
                : System.Text.Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (OperationCanceledException)
        {
            // No caller's cancellation reaches a fetch (CiIssuerKeys runs it on its own): a cancellation is our time limit
            // (or HttpClient's), and the log says so with the limit, not "The operation was canceled."
            throw new CiIssuerException($"{url} timed out: the discovery document and key set must arrive within {Timeout.TotalSeconds:0.##} s");
        }
        catch (Exception e) when (e is HttpRequestException or UpstreamException or IOException)
        {
            throw new CiIssuerException($"{url} could not be read: {e.Message}");
        }
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length > 200 ? value[..200] + "…" : value;
}

/// <summary>An issuer's documents could not be fetched or were not acceptable; the message names the URL, never a token.</summary>
internal sealed class CiIssuerException(string message) : Exception(message);
