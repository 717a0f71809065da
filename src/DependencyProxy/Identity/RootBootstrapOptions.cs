namespace DependencyProxy.Identity;

/// <summary>How the first start creates root, at the top of the <c>DependencyProxy</c> section.</summary>
internal sealed class RootBootstrapOptions
{
    /// <summary>When set on first start, root's personal access token (scopes api and read_registry); for automation.</summary>
    public string? InitialRootToken { get; set; }

    /// <summary>Never repeats the token: the message would end up in logs.</summary>
    internal IEnumerable<string> Validate()
    {
        if (InitialRootToken is { Length: > 0 } token && (token.Length < 20 || !token.StartsWith("dpat-", StringComparison.Ordinal)))
        {
            yield return "DependencyProxy:InitialRootToken must start with 'dpat-' and be at least 20 characters long.";
        }
    }
}
