using System.Diagnostics.CodeAnalysis;
using DependencyProxy.Caching;

namespace DependencyProxy.Warming;

/// <summary>
/// The platforms of an index a warm-up fetches: <c>os/arch[/variant]</c> as <c>docker pull --platform</c> takes them, in
/// lowercase. A platform without a variant matches every variant of its architecture (<c>linux/arm</c> matches
/// <c>linux/arm/v7</c>), and <c>linux/arm64/v8</c> is <c>linux/arm64</c> either way round; none means every entry of the index, attestations included (they are what <c>skopeo copy
/// --all</c> copies too).
/// </summary>
internal static class WarmPlatforms
{
    public const int MaxCount = 16;

    public static bool TryCheck(string platform, [NotNullWhen(false)] out string? error)
    {
        var parts = platform.Split('/');
        error = parts.Length is 2 or 3 && parts.All(p => p.Length is > 0 and <= 32 && char.IsAsciiLetterOrDigit(p[0]) && p.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '.'))
            ? null
            : $"invalid platform '{(platform.Length > 64 ? platform[..64] + "…" : platform)}': use os/arch or os/arch/variant in lowercase, e.g. linux/amd64 or linux/arm/v7";
        return error is null;
    }

    /// <summary>The index entries to fetch for the wanted platforms (empty: all of them).</summary>
    public static IReadOnlyList<PlatformReference> Select(IReadOnlyList<PlatformReference> entries, IReadOnlyCollection<string> wanted) =>
        wanted.Count == 0
            ? entries
            : [.. entries.Where(e => !e.IsAttestation && wanted.Any(w => Matches(e.Platform, w)))];

    private static bool Matches(string platform, string wanted)
    {
        (platform, wanted) = (Normalized(platform), Normalized(wanted));
        return platform == wanted || (wanted.Count(c => c == '/') == 1 && platform.StartsWith(wanted + "/", StringComparison.Ordinal));
    }

    /// <summary>
    /// arm64's only variant is v8, so containerd and Docker take <c>linux/arm64</c> and <c>linux/arm64/v8</c> for the same
    /// platform (and index entries come either way): both sides are written with the variant before they are compared.
    /// </summary>
    private static string Normalized(string platform) =>
        platform.EndsWith("/arm64", StringComparison.Ordinal) && platform.Count(c => c == '/') == 1 ? platform + "/v8" : platform;
}
