using System.Reflection;

namespace DependencyProxy.Api;

/// <summary>
/// GitLab's <c>GET /version</c>: <c>{"version": "1.0.0", "revision": "…"}</c>. The version is the assembly's informational
/// version; the revision is the git commit the build recorded after its <c>+</c> (the SDK appends SourceRevisionId there),
/// or <c>unknown</c> when the build had none: never a made-up one.
/// </summary>
internal static class VersionApi
{
    /// <summary>What a build without a recorded version or commit answers.</summary>
    public const string Unknown = "unknown";

    public static void Map(RouteGroupBuilder api) => api.MapGet("/version", () => ApiResults.Ok(Current));

    public static readonly VersionJson Current = Read(typeof(VersionApi).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>Splits <c>1.2.3+abc123</c> into its version and revision.</summary>
    public static VersionJson Read(string? informationalVersion)
    {
        if (string.IsNullOrWhiteSpace(informationalVersion))
        {
            return new VersionJson(Unknown, Unknown);
        }

        var plus = informationalVersion.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0)
        {
            return new VersionJson(informationalVersion, Unknown);
        }

        var revision = informationalVersion[(plus + 1)..];
        return new VersionJson(informationalVersion[..plus], revision.Length == 0 ? Unknown : revision);
    }
}

internal sealed record VersionJson(string Version, string Revision);
