namespace DependencyProxy.Identity;

/// <summary>Token scopes, as GitLab names them.</summary>
internal static class TokenScopes
{
    public const string Api = "api";
    public const string ReadApi = "read_api";
    public const string ReadRegistry = "read_registry";
    public const string WriteRegistry = "write_registry";

    /// <summary>GitLab's virtual registry scopes: reading (and pulling through) virtual registries.</summary>
    public const string ReadVirtualRegistry = "read_virtual_registry";

    /// <summary>GitLab's: reading and managing virtual registries (the REST API's virtual registry endpoints).</summary>
    public const string WriteVirtualRegistry = "write_virtual_registry";

    public static readonly string[] All = [Api, ReadApi, ReadRegistry, WriteRegistry, ReadVirtualRegistry, WriteVirtualRegistry];

    /// <summary>Deploy tokens only ever concern the registries (GitLab's deploy tokens take the virtual registry scopes too).</summary>
    public static readonly string[] DeployTokenScopes = [ReadRegistry, WriteRegistry, ReadVirtualRegistry, WriteVirtualRegistry];

    public static bool AllValid(IEnumerable<string> scopes, IEnumerable<string> allowed) => scopes.All(allowed.Contains);

    public static string Join(IEnumerable<string> scopes) => string.Join(' ', scopes.Distinct().Order(StringComparer.Ordinal));

    public static IReadOnlySet<string> Split(string scopes) =>
        scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    public static bool AllowsRegistryRead(IReadOnlySet<string> scopes) => scopes.Contains(ReadRegistry) || scopes.Contains(WriteRegistry);
}
