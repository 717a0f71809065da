using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using DependencyProxy.Hosting;

namespace DependencyProxy.Tests.Architecture;

/// <summary>
/// Which folder of the application uses which, read from the compiled assembly (every type reference, including the
/// fully qualified ones a text search misses). A folder is the namespace's second part; the root namespace is "(root)"
/// and Razor's generated views count as Web.
/// </summary>
internal static class FolderGraph
{
    private const string Root = "DependencyProxy";

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Architecture =
        new(() => new ArchLoader().LoadAssemblies(typeof(ProxyApp).Assembly).Build());

    public static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>> Edges = new(Build);

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Build()
    {
        var architecture = Architecture.Value;
        var edges = new Dictionary<string, Dictionary<string, SortedSet<string>>>();
        foreach (var type in architecture.Types)
        {
            if (FolderOf(type) is not { } from)
            {
                continue;
            }

            var targets = edges.TryGetValue(from, out var existing) ? existing : edges[from] = [];
            foreach (var dependency in type.Dependencies)
            {
                if (FolderOf(dependency.Target) is { } to && to != from)
                {
                    (targets.TryGetValue(to, out var why) ? why : targets[to] = []).Add($"{type.FullName} -> {dependency.Target.FullName}");
                }
            }
        }

        return edges.ToDictionary(
            e => e.Key,
            e => (IReadOnlyDictionary<string, IReadOnlyList<string>>)e.Value.ToDictionary(t => t.Key, t => (IReadOnlyList<string>)[.. t.Value]));
    }

    /// <summary>Full names of the types outside the application that a folder's types use.</summary>
    public static IReadOnlyList<string> ExternalDependencies(string folder) =>
    [
        .. Architecture.Value.Types.Where(t => FolderOf(t) == folder)
            .SelectMany(t => t.Dependencies)
            .Select(d => d.Target)
            .Where(target => FolderOf(target) is null)
            .Select(target => target.FullName)
            .Distinct()
            .Order(),
    ];

    /// <summary>The folder a type lives in, or null for types that are not the application's.</summary>
    public static string? FolderOf(IType type)
    {
        var name = type.FullName;
        if (name.StartsWith("AspNetCoreGeneratedDocument.", StringComparison.Ordinal))
        {
            return "Web";
        }

        if (!name.StartsWith(Root + ".", StringComparison.Ordinal) || type.Assembly.Name.Split(',')[0] != Root)
        {
            return null;
        }

        // Nested types are written Outer+Inner; only namespaces separate with dots before the type name.
        var namespaceName = type.Namespace.FullName;
        if (namespaceName.Length == 0)
        {
            namespaceName = name[..name.LastIndexOf('.')];
        }

        var parts = namespaceName.Split('.');
        return parts.Length > 1 ? parts[1] : "(root)";
    }
}
