using DependencyProxy.Configuration;

namespace DependencyProxy.CiIdentity;

/// <summary>
/// The issuers of CI tokens this instance trusts (<c>DependencyProxy:Oidc:Issuers:&lt;name&gt;:*</c>), e.g. GitLab CI's
/// <c>id_tokens</c> or GitHub Actions' OIDC tokens. Only these are ever contacted, for their keys; trust rules of groups
/// name one of their URLs. Named rather than listed, like the upstreams: list entries merge by index.
/// </summary>
internal sealed class CiIdentityOptions
{
    public const string Section = OptionsSections.Root + ":Oidc";

    public Dictionary<string, CiIssuerOptions> Issuers { get; set; } = [];

    /// <summary>How long an issuer's discovery document and key set may take, together (at most 60 s).</summary>
    public TimeSpan FetchTimeout { get; set; } = CiIssuerDocuments.DefaultTimeout;

    /// <summary>The issuer whose URL is exactly <paramref name="url"/> (the token's <c>iss</c>), or null.</summary>
    public CiIssuerOptions? Find(string? url) =>
        url is null ? null : Issuers.Values.FirstOrDefault(issuer => string.Equals(issuer.Url, url, StringComparison.Ordinal));

    /// <summary>Values of the section that did not bind (<see cref="CiIdentityValidation.Unreadable"/>), set after binding.</summary>
    internal List<string> BindingProblems { get; } = [];

    internal IEnumerable<string> Validate() => CiIdentityValidation.Problems(this);
}

/// <summary>One trusted issuer.</summary>
internal sealed class CiIssuerOptions
{
    /// <summary>The exact <c>iss</c> of its tokens, e.g. <c>https://gitlab.example.com</c>; its discovery document is at
    /// <c>&lt;Url&gt;/.well-known/openid-configuration</c>.</summary>
    public string Url { get; set; } = "";

    /// <summary>Where its keys are, when not the discovery document's <c>jwks_uri</c> (which must be on the issuer's own
    /// scheme, host and port).</summary>
    public string? JwksUrl { get; set; }

    /// <summary>The longest a token may live (<c>exp - iat</c>): a token made to last a week is refused.</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(2);
}
