using DependencyProxy.Data;
using DependencyProxy.Identity;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Groups;

/// <summary>Finds and creates groups. A group path is a chain of registry name components: <c>my-org/team</c>.</summary>
internal sealed class GroupDirectory(IDbContextFactory<ProxyDbContext> databases, TimeProvider time)
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

    public async Task<Group?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == id, cancellationToken);
    }

    /// <summary>A numeric id (digits only: no sign, no spaces, so <c>+1</c> is no id) or a full path (<c>:id</c> in the REST API).</summary>
    /// <remarks>A control character (a decoded <c>%00</c>) or an overlong string names no group and never reaches the database:
    /// PostgreSQL refuses NUL bytes in text with an error.</remarks>
    public Task<Group?> FindByIdOrPathAsync(string idOrPath, CancellationToken cancellationToken) =>
        idOrPath.Length is 0 or > 1024 || idOrPath.Any(char.IsControl) ? Task.FromResult<Group?>(null)
        : EntityId.TryParse(idOrPath, out var id) ? FindAsync(id, cancellationToken) : FindAsync(idOrPath, cancellationToken);

    /// <summary>
    /// Creates a group; a subgroup's parent must exist. The creator of a top-level group becomes its owner (subgroups
    /// inherit their members). Returns the group, or why not (Conflict when the path is taken).
    /// </summary>
    public async Task<(Group? Group, Refusal? Refusal)> CreateAsync(
        string fullPath, string? name, CancellationToken cancellationToken, string visibility = GroupVisibility.Private,
        string? description = null, long? creatorUserId = null)
    {
        if (!GroupVisibility.IsValid(visibility))
        {
            return (null, Refusal.Invalid("visibility must be public or private"));
        }

        var segments = fullPath.Split('/');
        if (fullPath.Length is 0 or > 200 || !segments.All(RegistryPath.IsValidComponent))
        {
            return (null, Refusal.Invalid("a group path is 1 to 200 characters of path components made of lowercase letters and digits, " +
                "separated by '.', '_', '__' or '-', joined by '/' (e.g. my-org/team)"));
        }

        if ((FieldLimits.Check("name", name, FieldLimits.Name) ?? FieldLimits.Check("description", description, FieldLimits.Description)) is { } tooLong)
        {
            return (null, Refusal.Invalid(tooLong));
        }

        if (segments.Contains("dependency_proxy"))
        {
            return (null, Refusal.Invalid("'dependency_proxy' is reserved and cannot be part of a group path"));
        }

        if (segments[0] == "virtual_registries")
        {
            // /v2/virtual_registries/container/<id>/… is a virtual registry's pull path: such a group could never be pulled from.
            return (null, Refusal.Invalid("'virtual_registries' is reserved as a top-level group path: pulls from virtual registries use it"));
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.Groups.AnyAsync(g => g.FullPath == fullPath, cancellationToken))
        {
            return (null, Refusal.Taken($"group '{fullPath}' already exists"));
        }

        Group? parent = null;
        if (segments.Length > 1)
        {
            var parentPath = string.Join('/', segments[..^1]);
            parent = await db.Groups.FirstOrDefaultAsync(g => g.FullPath == parentPath, cancellationToken);
            if (parent is null)
            {
                return (null, Refusal.Invalid($"parent group '{parentPath}' does not exist; create it first"));
            }

            if (await VisibilityRules.ProblemAsync(db, fullPath, visibility, cancellationToken) is { } tooVisible)
            {
                return (null, Refusal.Invalid(tooVisible));
            }
        }

        var group = new Group
        {
            Path = segments[^1],
            FullPath = fullPath,
            Name = string.IsNullOrWhiteSpace(name) ? segments[^1] : name.Trim(),
            ParentId = parent?.Id,
            Visibility = visibility,
            Description = description ?? "",
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Groups.Add(group);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (creatorUserId is { } creator && parent is null)
            {
                db.GroupMembers.Add(new GroupMember
                {
                    GroupId = group.Id, UserId = creator, AccessLevel = AccessLevels.Owner, CreatedAt = group.CreatedAt,
                });
                await db.SaveChangesAsync(cancellationToken);
            }
        }
        catch (DbUpdateException)
        {
            return (null, Refusal.Taken($"group '{fullPath}' already exists"));
        }

        return (group, null);
    }

    /// <summary>Changes name, description or visibility.</summary>
    public async Task<(Group? Group, string? Error)> UpdateAsync(
        long id, string? name, string? description, string? visibility, CancellationToken cancellationToken)
    {
        if (visibility is not null && !GroupVisibility.IsValid(visibility))
        {
            return (null, "visibility must be public or private");
        }

        if (name is { Length: 0 })
        {
            return (null, "name must not be empty");
        }

        if ((FieldLimits.Check("name", name, FieldLimits.Name) ?? FieldLimits.Check("description", description, FieldLimits.Description)) is { } tooLong)
        {
            return (null, tooLong);
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var group = await db.Groups.FirstOrDefaultAsync(g => g.Id == id, cancellationToken);
        if (group is null)
        {
            return (null, null);
        }

        if (visibility is not null && visibility != group.Visibility
            && await VisibilityRules.ProblemAsync(db, group.FullPath, visibility, cancellationToken) is { } notAllowed)
        {
            return (null, notAllowed);
        }

        group.Name = name ?? group.Name;
        group.Description = description ?? group.Description;
        group.Visibility = visibility ?? group.Visibility;
        await db.SaveChangesAsync(cancellationToken);
        return (group, null);
    }

    /// <summary>Deletes a group with its subgroups, members, tokens and cache entries (the rows cascade).</summary>
    public async Task DeleteAsync(Group group, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var prefix = group.FullPath + "/";
        var subtree = await db.Groups.Where(g => g.Id == group.Id || g.FullPath.StartsWith(prefix)).ToListAsync(cancellationToken);
        // Deepest first: a parent cannot go while a child still points at it.
        foreach (var doomed in subtree.OrderByDescending(g => g.FullPath.Count(c => c == '/')))
        {
            await db.Users.Where(u => u.BotGroupId == doomed.Id).ExecuteDeleteAsync(cancellationToken);
            await db.Groups.Where(g => g.Id == doomed.Id).ExecuteDeleteAsync(cancellationToken);
        }
    }
}
