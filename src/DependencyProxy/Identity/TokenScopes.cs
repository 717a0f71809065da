namespace DependencyProxy.Identity;

/// <summary>Token scopes, as GitLab names them.</summary>
internal static class TokenScopes
{
    public const string Api = "api";
    public const string ReadApi = "read_api";
    public const string ReadRegistry = "read_registry";
    public const string WriteRegistry = "write_registry";

    public static readonly string[] All = [Api, ReadApi, ReadRegistry, WriteRegistry];

    /// <summary>Deploy tokens only ever concern the registry.</summary>
    public static readonly string[] DeployTokenScopes = [ReadRegistry, WriteRegistry];

    public static bool AllValid(IEnumerable<string> scopes, IEnumerable<string> allowed) => scopes.All(allowed.Contains);

    public static string Join(IEnumerable<string> scopes) => string.Join(' ', scopes.Distinct().Order(StringComparer.Ordinal));

    public static IReadOnlySet<string> Split(string scopes) =>
        scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    public static bool AllowsRegistryRead(IReadOnlySet<string> scopes) => scopes.Contains(ReadRegistry) || scopes.Contains(WriteRegistry);
}
