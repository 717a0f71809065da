using DependencyProxy.Data;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Warming;

/// <summary>
/// A sync rule's fields as the API, the page or the CLI gave them; null means "not given" (the default on create, the
/// stored value on update). Numbers come as long so that 0, -1 and huge values reach the range check, not an overflow.
/// </summary>
internal sealed record SyncRuleRequest(
    string? Image = null, string? TagPattern = null, string? PatternType = null, long? IntervalMinutes = null, long? MaxTags = null,
    string? Mode = null, IReadOnlyList<string>? Platforms = null, bool? Enabled = null)
{
    public const int MinIntervalMinutes = 5;
    public const int MaxIntervalMinutes = 7 * 24 * 60;
    public const int MaxMaxTags = 100;
    public const int MaxPlatforms = WarmPlatforms.MaxCount;
    public const string WholeMode = "whole";
    public const string ManifestsMode = "manifests";

    /// <summary>
    /// Applies the request to <paramref name="rule"/> (a new one, or a copy of the stored one) and checks the result; the
    /// first problem found, one sentence naming the field, or null when the rule is good.
    /// </summary>
    public string? ApplyTo(SyncRule rule, UpstreamResolver upstreams)
    {
        if (Image is not null)
        {
            rule.Image = Image.Trim();
        }

        if (TagPattern is not null)
        {
            rule.TagPattern = TagPattern;
        }

        rule.PatternType = PatternType?.Trim().ToLowerInvariant() ?? rule.PatternType;
        rule.Mode = Mode?.Trim().ToLowerInvariant() ?? rule.Mode;
        rule.Enabled = Enabled ?? rule.Enabled;
        if (IntervalMinutes is { } interval)
        {
            if (interval is < MinIntervalMinutes or > MaxIntervalMinutes)
            {
                return $"interval_minutes must be between {MinIntervalMinutes} and {MaxIntervalMinutes} (a week)";
            }

            rule.IntervalMinutes = (int)interval;
        }

        if (MaxTags is { } max)
        {
            if (max is < 1 or > MaxMaxTags)
            {
                return $"max_tags must be between 1 and {MaxMaxTags}";
            }

            rule.MaxTags = (int)max;
        }

        if (Platforms is not null)
        {
            if (PlatformProblem(Platforms) is { } platformProblem)
            {
                return platformProblem;
            }

            rule.Platforms = string.Join(',', Platforms.Select(p => p.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal));
        }

        return ImageProblem(rule.Image, upstreams) ?? PatternProblem(rule)
            ?? (rule.Mode is WholeMode or ManifestsMode ? null : $"mode must be {WholeMode} or {ManifestsMode}");
    }

    /// <summary>A repository at a configured registry, without a tag or digest: anything else is refused before it is stored.</summary>
    public static string? ImageProblem(string image, UpstreamResolver upstreams)
    {
        if (image.Length == 0)
        {
            return "image is missing: give a repository such as library/python or ghcr.io/org/app";
        }

        if (image.Length > SyncRule.MaxImageLength)
        {
            return FieldLimits.TooLong("image", SyncRule.MaxImageLength);
        }

        if (image.Contains('@') || image.Split('/')[^1].Contains(':'))
        {
            return "image must be a repository without a tag or digest (the tag_pattern chooses the tags)";
        }

        if (!upstreams.TryResolve(image, out var repository, out var error))
        {
            return $"image is refused: {error.Message}";
        }

        return repository.Name.Split('/').All(RegistryPath.IsValidComponent)
            ? null
            : $"image '{image}' is not a valid repository name (lower-case letters, digits and separators, components joined by '/')";
    }

    private static string? PatternProblem(SyncRule rule)
    {
        if (string.IsNullOrEmpty(rule.TagPattern))
        {
            return "tag_pattern is missing";
        }

        if (rule.TagPattern.Length > SyncRule.MaxPatternLength)
        {
            return FieldLimits.TooLong("tag_pattern", SyncRule.MaxPatternLength);
        }

        return SyncRulePattern.TryParse(rule.TagPattern, rule.PatternType, out _, out var error) ? null : error;
    }

    private static string? PlatformProblem(IReadOnlyList<string> platforms)
    {
        if (platforms.Count > MaxPlatforms)
        {
            return $"platforms may name at most {MaxPlatforms} platforms";
        }

        foreach (var platform in platforms)
        {
            if (!WarmPlatforms.TryCheck(platform.Trim().ToLowerInvariant(), out var error))
            {
                return $"platforms: {error}";
            }
        }

        return null;
    }
}
