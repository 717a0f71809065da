using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.VirtualRegistries;

/// <summary>
/// A top-level group's container virtual registries: list, find, create (within
/// <see cref="VirtualRegistryOptions.MaxRegistriesPerGroup"/>), rename, delete. Callers check roles
/// (<see cref="VirtualRegistryRoles"/>); this checks the rules of the data: top-level groups, names, limits.
/// </summary>
internal sealed class VirtualRegistryDirectory(
    IDbContextFactory<ProxyDbContext> databases, VirtualRegistryCache cache, IOptions<VirtualRegistryOptions> options, TimeProvider time)
{
    public async Task<IReadOnlyList<VirtualRegistry>> ListAsync(long groupId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.VirtualRegistries.AsNoTracking().Where(r => r.GroupId == groupId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
    }

    public async Task<VirtualRegistry?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.VirtualRegistries.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
    }

    /// <summary>The registry's links (GitLab's <c>registry_upstreams</c>), in the order its upstreams are asked.</summary>
    public async Task<IReadOnlyList<VirtualRegistryUpstreamLink>> LinksAsync(long registryId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.VirtualRegistryUpstreamLinks.AsNoTracking().Where(l => l.RegistryId == registryId)
            .OrderBy(l => l.Position).ThenBy(l => l.Id).ToListAsync(cancellationToken);
    }

    public async Task<(VirtualRegistry? Registry, Refusal? Refusal)> CreateAsync(
        Group group, string? name, string? description, CancellationToken cancellationToken)
    {
        if (VirtualRegistryRoles.RequireTopLevel(group) is { } subgroup)
        {
            return (null, subgroup);
        }

        if ((CheckName(name, required: true) ?? CheckDescription(description)) is { } invalid)
        {
            return (null, Refusal.Invalid(invalid));
        }

        return await databases.InTransactionAsync<(VirtualRegistry? Registry, Refusal? Refusal)>(async db =>
        {
            if (!await RowLocks.LockGroupAsync(db, group.Id, cancellationToken))
            {
                return (null, new Refusal(RefusalKind.NotFound, "Group"));
            }

            var limit = options.Value.MaxRegistriesPerGroup;
            if (await db.VirtualRegistries.CountAsync(r => r.GroupId == group.Id, cancellationToken) >= limit)
            {
                return (null, Refusal.Invalid($"this group already has {limit} virtual registries, the most allowed " +
                    $"({VirtualRegistryOptions.Section}:MaxRegistriesPerGroup); delete one first"));
            }

            var trimmed = name!.Trim();
            if (await NameTakenAsync(db, group.Id, trimmed, exceptId: 0, cancellationToken))
            {
                return (null, Refusal.Taken($"name has already been taken: this group has a virtual registry named '{trimmed}'"));
            }

            var now = time.GetUtcNow().UtcDateTime;
            var registry = new VirtualRegistry { GroupId = group.Id, Name = trimmed, Description = description ?? "", CreatedAt = now, UpdatedAt = now };
            db.VirtualRegistries.Add(registry);
            await db.SaveChangesAsync(cancellationToken);
            return (registry, null);
        }, cancellationToken);
    }

    /// <summary>Changes the name and/or description; at least one must be given (GitLab's rule).</summary>
    public async Task<(VirtualRegistry? Registry, Refusal? Refusal)> UpdateAsync(
        long id, string? name, string? description, CancellationToken cancellationToken)
    {
        if (name is null && description is null)
        {
            return (null, Refusal.Invalid("name, description are missing, at least one parameter must be provided"));
        }

        if ((CheckName(name, required: false) ?? CheckDescription(description)) is { } invalid)
        {
            return (null, Refusal.Invalid(invalid));
        }

        return await databases.InTransactionAsync<(VirtualRegistry? Registry, Refusal? Refusal)>(async db =>
        {
            var groupId = await db.VirtualRegistries.Where(r => r.Id == id).Select(r => (long?)r.GroupId).FirstOrDefaultAsync(cancellationToken);
            // The group's row is locked as by a create, so two renames cannot both take one name in two spellings.
            var registry = groupId is { } owner && await RowLocks.LockGroupAsync(db, owner, cancellationToken)
                ? await db.VirtualRegistries.FirstOrDefaultAsync(r => r.Id == id, cancellationToken)
                : null;
            if (registry is null)
            {
                return (null, new Refusal(RefusalKind.NotFound, "Virtual registry"));
            }

            var trimmed = name?.Trim();
            if (trimmed is not null && await NameTakenAsync(db, registry.GroupId, trimmed, exceptId: registry.Id, cancellationToken))
            {
                return (null, Refusal.Taken($"name has already been taken: this group has a virtual registry named '{trimmed}'"));
            }

            registry.Name = trimmed ?? registry.Name;
            registry.Description = description ?? registry.Description;
            registry.UpdatedAt = time.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
            return (registry, null);
        }, cancellationToken);
    }

    /// <summary>
    /// Names are unique in a group whatever their case, as on GitLab ("Docker" and "docker" are one name). Compared here, not
    /// by the database: SQLite's lower() and nocase know ASCII only, PostgreSQL's depend on its collation; a group has at
    /// most <see cref="VirtualRegistryOptions.MaxRegistriesPerGroup"/> names, and callers hold the group's row lock.
    /// </summary>
    private static async Task<bool> NameTakenAsync(ProxyDbContext db, long groupId, string name, long exceptId, CancellationToken cancellationToken) =>
        (await db.VirtualRegistries.AsNoTracking().Where(r => r.GroupId == groupId && r.Id != exceptId).Select(r => r.Name).ToListAsync(cancellationToken))
        .Any(taken => string.Equals(taken, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Deletes the registry, and with it (as GitLab does) the upstreams no other registry of the group uses; their cache
    /// entries are marked for destruction first, so none is served again. False when it did not exist.
    /// </summary>
    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        var exclusive = await cache.ExclusiveUpstreamsAsync(id, cancellationToken);
        await cache.MarkUpstreamsForDestructionAsync(exclusive, cancellationToken);
        return await databases.InTransactionAsync<bool>(async db =>
        {
            var deleted = await db.VirtualRegistries.Where(r => r.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
            // Links went with the registry (cascade); an upstream linked elsewhere meanwhile is kept.
            await db.VirtualRegistryUpstreams.Where(u => exclusive.Contains(u.Id) && !db.VirtualRegistryUpstreamLinks.Any(l => l.UpstreamId == u.Id))
                .ExecuteDeleteAsync(cancellationToken);
            return deleted;
        }, cancellationToken);
    }

    private static string? CheckName(string? name, bool required) =>
        name is null ? (required ? "name is missing" : null)
        : string.IsNullOrWhiteSpace(name) ? "name is empty"
        : name.Any(char.IsControl) ? "name must not contain control characters"
        : FieldLimits.Check("name", name, FieldLimits.Name);

    private static string? CheckDescription(string? description) =>
        description is not null && description.Contains('\0') ? "description must not contain NUL characters"
        : FieldLimits.Check("description", description, FieldLimits.VirtualRegistryDescription);
}
