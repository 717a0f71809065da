using DependencyProxy.Data;
using DependencyProxy.Registry;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Groups;

/// <summary>Finds and creates groups. A group path is a chain of registry name components: <c>my-org/team</c>.</summary>
public sealed class GroupDirectory(IDbContextFactory<ProxyDbContext> databases, TimeProvider time)
{
    public async Task<Group?> FindAsync(string fullPath, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.FullPath == fullPath, cancellationToken);
    }

    public async Task<IReadOnlyList<Group>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Groups.AsNoTracking().OrderBy(g => g.FullPath).ToListAsync(cancellationToken);
    }

    /// <summary>Creates a group; a subgroup's parent must exist. Returns the group, or an error a person can act on.</summary>
    public async Task<(Group? Group, string? Error)> CreateAsync(string fullPath, string? name, CancellationToken cancellationToken)
    {
        var segments = fullPath.Split('/');
        if (fullPath.Length is 0 or > 200 || !segments.All(RegistryPath.IsValidComponent))
        {
            return (null, "a group path is 1 to 200 characters of path components made of lowercase letters and digits, " +
                "separated by '.', '_', '__' or '-', joined by '/' (e.g. my-org/team)");
        }

        if (segments.Contains("dependency_proxy"))
        {
            return (null, "'dependency_proxy' is reserved and cannot be part of a group path");
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.Groups.AnyAsync(g => g.FullPath == fullPath, cancellationToken))
        {
            return (null, $"group '{fullPath}' already exists");
        }

        Group? parent = null;
        if (segments.Length > 1)
        {
            var parentPath = string.Join('/', segments[..^1]);
            parent = await db.Groups.FirstOrDefaultAsync(g => g.FullPath == parentPath, cancellationToken);
            if (parent is null)
            {
                return (null, $"parent group '{parentPath}' does not exist; create it first");
            }
        }

        var group = new Group
        {
            Path = segments[^1],
            FullPath = fullPath,
            Name = string.IsNullOrWhiteSpace(name) ? segments[^1] : name.Trim(),
            ParentId = parent?.Id,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Groups.Add(group);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return (null, $"group '{fullPath}' already exists");
        }

        return (group, null);
    }
}
