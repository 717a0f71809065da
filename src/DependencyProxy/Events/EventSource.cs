namespace DependencyProxy.Events;

/// <summary>The CloudEvents <c>source</c> of an event: the instance's public URL, and <c>/groups/&lt;path&gt;</c> for a group's.</summary>
internal static class EventSource
{
    /// <summary>
    /// Without <c>DependencyProxy:ExternalUrl</c> the instance has no address of its own outside a request, so the source
    /// is the relative reference <c>/</c> (CloudEvents allows a URI reference); set ExternalUrl for absolute sources.
    /// </summary>
    public static string Of(string? externalUrl, string? groupPath)
    {
        var root = externalUrl?.TrimEnd('/') ?? "";
        return groupPath is null ? (root.Length == 0 ? "/" : root) : $"{root}/groups/{groupPath}";
    }
}
