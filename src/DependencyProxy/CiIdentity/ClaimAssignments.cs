namespace DependencyProxy.CiIdentity;

/// <summary>
/// A trust rule's claims as people type them, one <c>name=glob</c> each: the CLI's repeated <c>--claim</c> and the web
/// page's lines. The first <c>=</c> separates them (a glob may hold more); the rest of the checks are
/// <see cref="TrustClaims.Problem"/>'s, as for the REST API's JSON object.
/// </summary>
internal static class ClaimAssignments
{
    public static (IReadOnlyDictionary<string, string?>? Claims, string? Problem) Parse(IEnumerable<string> assignments)
    {
        var claims = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var raw in assignments)
        {
            var assignment = raw.Trim();
            if (assignment.Length == 0)
            {
                continue;
            }

            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return (null, $"claims: each is name=glob, e.g. project_path=acme/*, not '{Shorten(assignment)}'");
            }

            var name = assignment[..equals].Trim();
            if (!claims.TryAdd(name, assignment[(equals + 1)..].Trim()))
            {
                return (null, $"claims: '{Shorten(name)}' is named twice");
            }

            if (claims.Count > TrustClaims.MaxClaims)
            {
                break;
            }
        }

        return TrustClaims.Problem(claims) is { } problem ? (null, problem) : (claims, null);
    }

    /// <summary>An echoed value stays short: a pasted token or a whole file must not come back in an error.</summary>
    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
