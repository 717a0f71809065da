using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Groups;

/// <summary>
/// GitLab's rule: a subgroup is never more visible than the groups above it. Otherwise a public subgroup of a private
/// group would be pulled anonymously, its path telling strangers the private group exists.
/// </summary>
internal static class VisibilityRules
{
    /// <summary>Why <paramref name="fullPath"/> may not be (or become) <paramref name="visibility"/>, or null when it may.</summary>
    public static async Task<string?> ProblemAsync(ProxyDbContext db, string fullPath, string visibility, CancellationToken cancellationToken)
    {
        if (visibility == GroupVisibility.Public)
        {
            var segments = fullPath.Split('/');
            var ancestors = Enumerable.Range(1, segments.Length - 1).Select(n => string.Join('/', segments[..n])).ToList();
            var privateAncestor = await db.Groups.Where(g => ancestors.Contains(g.FullPath) && g.Visibility == GroupVisibility.Private)
                .OrderBy(g => g.FullPath).Select(g => g.FullPath).FirstOrDefaultAsync(cancellationToken);
            return privateAncestor is null ? null
                : $"visibility public is not allowed since the parent group '{privateAncestor}' is private (a subgroup is never more visible than its parent)";
        }

        var prefix = fullPath + "/";
        var publicDescendant = await db.Groups.Where(g => g.FullPath.StartsWith(prefix) && g.Visibility == GroupVisibility.Public)
            .OrderBy(g => g.FullPath).Select(g => g.FullPath).FirstOrDefaultAsync(cancellationToken);
        return publicDescendant is null ? null
            : $"visibility private is not allowed since the subgroup '{publicDescendant}' is public: make the subgroups private first";
    }
}
