namespace DependencyProxy.Tests.Architecture;

/// <summary>
/// The floors of docs/architecture.md, read from the compiled assembly: a folder uses only folders on floors below its
/// own, so there is no cycle between folders and a person working in one knows what it may touch.
/// </summary>
public sealed class FloorTests
{
    /// <summary>Bottom first. Folders on one floor do not use each other.</summary>
    private static readonly string[][] Floors =
    [
        ["Oci", "Common"],
        ["Configuration"],
        ["Data", "Storage", "Limits"],
        ["Observability", "Backup", "Events"],
        ["Identity", "Upstream"],
        ["Groups", "Caching"],
        ["Cluster", "VirtualRegistries", "CiIdentity", "Webhooks"],
        ["Cleanup", "Warming"],
        ["Auth", "SingleSignOn"],
        ["Registry", "Api", "Web"],
        ["Hosting"],
        ["Cli"],
    ];

    private static int FloorOf(string folder) =>
        Array.FindIndex(Floors, floor => floor.Contains(folder)) is var index and >= 0
            ? index
            : throw new InvalidOperationException($"folder '{folder}' is on no floor: add it to {nameof(Floors)} and to docs/architecture.md");

    [Fact]
    public void EveryFolderUsesOnlyFloorsBelowIt()
    {
        var violations = (
            from edge in FolderGraph.Edges.Value
            from target in edge.Value
            where FloorOf(target.Key) >= FloorOf(edge.Key)
            select $"{edge.Key} (floor {FloorOf(edge.Key)}) uses {target.Key} (floor {FloorOf(target.Key)}): " +
                $"{string.Join("; ", target.Value.Take(3))}{(target.Value.Count > 3 ? $" and {target.Value.Count - 3} more" : "")}").ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void NoFolderIsInACycle()
    {
        var edges = FolderGraph.Edges.Value;
        var cycles = edges.Keys.Where(start => Reaches(edges, start, start)).Order().ToList();
        Assert.True(cycles.Count == 0, $"folders in a dependency cycle: {string.Join(", ", cycles)}");
    }

    [Fact]
    public void TheBottomFloorUsesNothingOfOurs()
    {
        foreach (var folder in Floors[0])
        {
            var used = FolderGraph.Edges.Value.TryGetValue(folder, out var targets) ? targets.Keys : [];
            Assert.True(!used.Any(), $"{folder} uses {string.Join(", ", used)}");
        }
    }

    /// <summary>Storage hands back something readable; HTTP responses, pipes and OCI errors are the registry floor's.</summary>
    [Fact]
    public void StorageKnowsNoHttp()
    {
        var found = FolderGraph.ExternalDependencies("Storage")
            .Where(name => name.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal) || name.StartsWith("System.IO.Pipelines.", StringComparison.Ordinal))
            .ToList();
        var ociErrors = FolderGraph.Edges.Value["Storage"].TryGetValue("Oci", out var oci) ? oci.Where(use => use.Contains("OciError")).ToList() : [];
        Assert.True(found.Count == 0 && ociErrors.Count == 0, string.Join('\n', found.Concat(ociErrors)));
    }

    [Fact]
    public void TheGraphIsReadFromTheAssembly()
    {
        // Guards the tests above against passing on an empty graph: known uses must be seen.
        Assert.Contains("Oci", FolderGraph.Edges.Value["Registry"].Keys);
        Assert.Contains("Caching", FolderGraph.Edges.Value["Registry"].Keys);
        Assert.True(FolderGraph.Edges.Value.Count >= Floors.Sum(f => f.Length) - 1);
    }

    private static bool Reaches(IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> edges, string from, string goal)
    {
        var seen = new HashSet<string>();
        var next = new Stack<string>(edges.TryGetValue(from, out var first) ? first.Keys : []);
        while (next.TryPop(out var folder))
        {
            if (folder == goal)
            {
                return true;
            }

            if (seen.Add(folder) && edges.TryGetValue(folder, out var targets))
            {
                foreach (var target in targets.Keys)
                {
                    next.Push(target);
                }
            }
        }

        return false;
    }
}
