namespace DependencyProxy.SingleSignOn;

/// <summary>
/// The provider's back channel (discovery, keys, token and userinfo endpoints) may reach the configured Authority's
/// scheme, host and port only. The discovery document names the other endpoints: a document that pointed them elsewhere
/// (a compromised or spoofed provider, a typo) must not make this server contact another host (no SSRF). Redirects are
/// not followed, for the same reason.
/// </summary>
internal sealed class AuthorityOnlyHandler : DelegatingHandler
{
    private readonly Uri _authority;

    public AuthorityOnlyHandler(Uri authority, HttpMessageHandler inner)
        : base(inner) => _authority = authority;

    public static HttpMessageHandler Create(Uri authority) =>
        new AuthorityOnlyHandler(authority, new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is not { IsAbsoluteUri: true } target
            || Uri.Compare(target, _authority, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new HttpRequestException(
                $"the identity provider's back channel may only reach {_authority.GetLeftPart(UriPartial.Authority)}, not {request.RequestUri?.GetLeftPart(UriPartial.Authority)}");
        }

        return base.SendAsync(request, cancellationToken);
    }
}
