using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Events;

/// <summary>A group with its full path and the ids of itself and its ancestors: whose hooks a group event goes to.</summary>
internal sealed record GroupChain(long Id, string FullPath, IReadOnlyCollection<long> Chain)
{
    /// <summary>Each group with its ancestors' ids (itself included); a group deleted meanwhile is missing (its event goes to instance hooks).</summary>
    public static async Task<Dictionary<long, GroupChain>> ForAsync(ProxyDbContext db, IEnumerable<long?> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.OfType<long>().ToHashSet();
        var known = new Dictionary<long, (string FullPath, long? ParentId)>();
        var missing = wanted.ToList();
        while (missing.Count > 0)
        {
            var found = await db.Groups.AsNoTracking().Where(g => missing.Contains(g.Id))
                .Select(g => new { g.Id, g.FullPath, g.ParentId }).ToListAsync(cancellationToken);
            foreach (var group in found)
            {
                known[group.Id] = (group.FullPath, group.ParentId);
            }

            missing = [.. found.Select(g => g.ParentId).OfType<long>().Where(parent => !known.ContainsKey(parent)).Distinct()];
        }

        var chains = new Dictionary<long, GroupChain>();
        foreach (var id in wanted.Where(known.ContainsKey))
        {
            var chain = new List<long>();
            for (long? at = id; at is { } current && known.TryGetValue(current, out var node) && !chain.Contains(current); at = node.ParentId)
            {
                chain.Add(current);
            }

            chains[id] = new GroupChain(id, known[id].FullPath, chain);
        }

        return chains;
    }
}
