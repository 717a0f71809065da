using DependencyProxy.Upstream;

namespace DependencyProxy.Warming;

/// <summary>
/// Checks what a caller asks to warm before anything is queued, the same for the API and the CLI: every reference parses
/// (<see cref="WarmReference"/>) and, for a group, names a registry this server is configured for; for a virtual registry
/// no registry host at all (its upstreams decide). One bad value refuses the whole request, naming it.
/// </summary>
internal static class WarmRequestCheck
{
    public const int MaxImages = 100;

    /// <summary>The first problem, as a sentence for a 400, or null.</summary>
    public static string? Problem(IReadOnlyList<string?> references, IReadOnlyList<string?> platforms, bool forVirtualRegistry, UpstreamResolver resolver)
    {
        if (references.Count is 0 or > MaxImages)
        {
            return $"images must list 1 to {MaxImages} image references";
        }

        foreach (var text in references)
        {
            if (text is null)
            {
                return "images must be image references (text), not null";
            }

            if (!WarmReference.TryParse(text, out var reference, out var error))
            {
                return $"images: '{Shorten(text)}' is invalid: {error}";
            }

            if (forVirtualRegistry && reference.Host is { } host)
            {
                return $"images: '{Shorten(text)}' names the registry '{host}': give the name only, a virtual registry's upstreams decide where it comes from";
            }

            if (!forVirtualRegistry && !resolver.TryResolve(reference.Image, out _, out var unconfigured))
            {
                return $"images: '{Shorten(text)}': {unconfigured.Message}";
            }
        }

        if (platforms.Count > WarmPlatforms.MaxCount)
        {
            return $"platforms may list at most {WarmPlatforms.MaxCount} platforms";
        }

        foreach (var platform in platforms)
        {
            if (platform is null)
            {
                return "platforms must be os/arch[/variant] texts, not null";
            }

            if (!WarmPlatforms.TryCheck(platform, out var error))
            {
                return $"platforms: {error}";
            }
        }

        return null;
    }

    private static string Shorten(string text) => text.Length > 100 ? text[..100] + "…" : text;
}
