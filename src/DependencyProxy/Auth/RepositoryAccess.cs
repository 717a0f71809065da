namespace DependencyProxy.Auth;

/// <summary>One entry of a registry token's <c>access</c> claim, as Docker's token spec defines it.</summary>
internal sealed record RepositoryAccess(string Type, string Name, IReadOnlyList<string> Actions)
{
    public const string Pull = "pull";

    /// <summary>
    /// Parses a <c>scope</c> parameter: <c>repository:NAME:ACTIONS</c>, several separated by spaces. The name is what
    /// lies between the first and the last colon (a name may hold a registry port). Unknown or malformed parts are dropped.
    /// </summary>
    public static IReadOnlyList<RepositoryAccess> ParseScopes(IEnumerable<string?> scopes) =>
        scopes.SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(TryParse)
            .OfType<RepositoryAccess>()
            .ToList();

    private static RepositoryAccess? TryParse(string scope)
    {
        var first = scope.IndexOf(':');
        var last = scope.LastIndexOf(':');
        if (first <= 0 || last <= first + 1 || scope.Length > 600 || scope[..first] != "repository")
        {
            return null;
        }

        var actions = scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
        return new RepositoryAccess("repository", scope[(first + 1)..last], actions);
    }
}
