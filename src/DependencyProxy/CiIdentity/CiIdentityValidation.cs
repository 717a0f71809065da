using DependencyProxy.Configuration;

namespace DependencyProxy.CiIdentity;

/// <summary>The start-up checks of <see cref="CiIdentityOptions"/>: one sentence per problem, naming its key.</summary>
internal static class CiIdentityValidation
{
    /// <summary>Longer issuer URLs are refused: they are stored in every trust rule.</summary>
    public const int MaxUrlLength = 255;

    public static readonly TimeSpan MinLifetime = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(1);

    public static IEnumerable<string> Problems(CiIdentityOptions options)
    {
        foreach (var problem in options.BindingProblems)
        {
            yield return problem;
        }

        if (options.FetchTimeout <= TimeSpan.Zero || options.FetchTimeout > CiIssuerDocuments.MaxTimeout)
        {
            yield return $"{CiIdentityOptions.Section}:FetchTimeout must be more than 0 and at most 00:01:00";
        }

        var urls = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, issuer) in options.Issuers.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var key = $"{CiIdentityOptions.Section}:Issuers:{name}";
            if (!IsIssuerUrl(issuer.Url))
            {
                yield return $"{key}:Url must be an absolute http or https URL without query, fragment or user info, " +
                    $"at most {MaxUrlLength} characters (got '{issuer.Url}').";
            }
            else if (!HttpUrl.IsHttpsOrLoopback(new Uri(issuer.Url)))
            {
                yield return HttpUrl.HttpsOrLoopbackRequired($"{key}:Url");
            }
            else if (!urls.Add(issuer.Url))
            {
                yield return $"{key}:Url '{issuer.Url}' is listed for another issuer too.";
            }

            if (issuer.JwksUrl is not null && !IsIssuerUrl(issuer.JwksUrl))
            {
                yield return $"{key}:JwksUrl must be an absolute http or https URL without query, fragment or user info (got '{issuer.JwksUrl}').";
            }
            else if (issuer.JwksUrl is not null && !HttpUrl.IsHttpsOrLoopback(new Uri(issuer.JwksUrl)))
            {
                yield return HttpUrl.HttpsOrLoopbackRequired($"{key}:JwksUrl");
            }

            if (issuer.MaxTokenLifetime < MinLifetime || issuer.MaxTokenLifetime > MaxLifetime)
            {
                yield return $"{key}:MaxTokenLifetime must be between 00:01:00 and 1.00:00:00 (got {issuer.MaxTokenLifetime}).";
            }
        }
    }

    /// <summary>
    /// The values the binder could not read. It drops a whole dictionary entry whose value fails to convert (an issuer with
    /// <c>MaxTokenLifetime=1h</c> would silently vanish, and every token of it be refused), so the raw section is read here.
    /// </summary>
    public static IEnumerable<string> Unreadable(IConfigurationSection issuers, CiIdentityOptions bound)
    {
        foreach (var entry in issuers.GetChildren())
        {
            var key = $"{CiIdentityOptions.Section}:Issuers:{entry.Key}";
            var lifetime = entry[nameof(CiIssuerOptions.MaxTokenLifetime)];
            if (lifetime is not null && !TimeSpan.TryParse(lifetime, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                yield return $"{key}:MaxTokenLifetime must be a time span such as 02:00:00 (hh:mm:ss, or d.hh:mm:ss), not '{lifetime}'.";
            }
            else if (!bound.Issuers.Keys.Contains(entry.Key, StringComparer.OrdinalIgnoreCase))
            {
                yield return $"{key} could not be read: check its values (Url, JwksUrl, MaxTokenLifetime).";
            }
        }
    }

    /// <summary>
    /// An <c>iss</c> is compared as written, so the URL must be one a token can carry: no query, fragment or user info
    /// (which would also be sent to the issuer as credentials).
    /// </summary>
    private static bool IsIssuerUrl(string? value) =>
        HttpUrl.IsValid(value) && value!.Length <= MaxUrlLength && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0 && !value.Contains('?') && !value.Contains('#');
}
