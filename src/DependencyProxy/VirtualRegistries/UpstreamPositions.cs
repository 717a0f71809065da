using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.VirtualRegistries;

/// <summary>
/// The order of a registry's upstreams (GitLab's <c>registry_upstreams</c>): positions stay 1..n without gaps. A move
/// shifts the links between the old and the new place by one, in one transaction with the registry row locked, so
/// concurrent moves never leave two links on one position.
/// </summary>
internal sealed class UpstreamPositions(IDbContextFactory<ProxyDbContext> databases, IOptions<VirtualRegistryOptions> options)
{
    public async Task<VirtualRegistryUpstreamLink?> FindAsync(long linkId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.VirtualRegistryUpstreamLinks.AsNoTracking().FirstOrDefaultAsync(l => l.Id == linkId, cancellationToken);
    }

    /// <summary>
    /// Moves the link to <paramref name="position"/> (1 is asked first), at most <see cref="VirtualRegistryOptions.MaxUpstreamsPerRegistry"/>
    /// like GitLab's "between 1 and 20"; a position past the last link means last.
    /// </summary>
    public async Task<(VirtualRegistryUpstreamLink? Link, Refusal? Refusal)> MoveAsync(long linkId, long position, CancellationToken cancellationToken)
    {
        var maximum = options.Value.MaxUpstreamsPerRegistry;
        if (position < 1 || position > maximum)
        {
            return (null, Refusal.Invalid($"position does not have a valid value: it is between 1 and {maximum}"));
        }

        return await databases.InTransactionAsync<(VirtualRegistryUpstreamLink? Link, Refusal? Refusal)>(async db =>
        {
            var found = await db.VirtualRegistryUpstreamLinks.AsNoTracking().FirstOrDefaultAsync(l => l.Id == linkId, cancellationToken);
            if (found is null || !await RowLocks.LockRegistryAsync(db, found.RegistryId, cancellationToken))
            {
                return (null, new Refusal(RefusalKind.NotFound, "Registry upstream"));
            }

            // Read again under the lock: another move may have changed it in between.
            if (await db.VirtualRegistryUpstreamLinks.FirstOrDefaultAsync(l => l.Id == linkId, cancellationToken) is not { } link)
            {
                return (null, new Refusal(RefusalKind.NotFound, "Registry upstream"));
            }

            var count = await db.VirtualRegistryUpstreamLinks.CountAsync(l => l.RegistryId == link.RegistryId, cancellationToken);
            var target = (int)Math.Min(position, count);
            var from = link.Position;
            if (target < from)
            {
                await db.VirtualRegistryUpstreamLinks.Where(l => l.RegistryId == link.RegistryId && l.Position >= target && l.Position < from)
                    .ExecuteUpdateAsync(s => s.SetProperty(l => l.Position, l => l.Position + 1), cancellationToken);
            }
            else if (target > from)
            {
                await db.VirtualRegistryUpstreamLinks.Where(l => l.RegistryId == link.RegistryId && l.Position > from && l.Position <= target)
                    .ExecuteUpdateAsync(s => s.SetProperty(l => l.Position, l => l.Position - 1), cancellationToken);
            }

            link.Position = target;
            await db.SaveChangesAsync(cancellationToken);
            return (link, null);
        }, cancellationToken);
    }

    /// <summary>Links an existing upstream of the same group into a registry, last (GitLab's POST registry_upstreams).</summary>
    public async Task<(VirtualRegistryUpstreamLink? Link, Refusal? Refusal)> LinkAsync(long registryId, long upstreamId, CancellationToken cancellationToken)
    {
        return await databases.InTransactionAsync<(VirtualRegistryUpstreamLink? Link, Refusal? Refusal)>(async db =>
        {
            var registry = await RowLocks.LockRegistryAsync(db, registryId, cancellationToken)
                ? await db.VirtualRegistries.AsNoTracking().FirstAsync(r => r.Id == registryId, cancellationToken)
                : null;
            var upstream = await db.VirtualRegistryUpstreams.AsNoTracking().FirstOrDefaultAsync(u => u.Id == upstreamId, cancellationToken);
            if (registry is null || upstream is null || upstream.GroupId != registry.GroupId)
            {
                // An upstream of another group is not found from here: its id says nothing.
                return (null, new Refusal(RefusalKind.NotFound, registry is null ? "Virtual registry" : "Upstream"));
            }

            if (await db.VirtualRegistryUpstreamLinks.AnyAsync(l => l.RegistryId == registryId && l.UpstreamId == upstreamId, cancellationToken))
            {
                return (null, Refusal.Invalid("upstream has already been taken: it is linked into this registry"));
            }

            if (await RoomProblemAsync(db, registryId, options.Value, cancellationToken) is { } full)
            {
                return (null, Refusal.Invalid(full));
            }

            var position = await db.VirtualRegistryUpstreamLinks.CountAsync(l => l.RegistryId == registryId, cancellationToken) + 1;
            var link = new VirtualRegistryUpstreamLink { GroupId = registry.GroupId, RegistryId = registryId, UpstreamId = upstreamId, Position = position };
            db.VirtualRegistryUpstreamLinks.Add(link);
            await db.SaveChangesAsync(cancellationToken);
            return (link, null);
        }, cancellationToken);
    }

    /// <summary>Removes the link (the upstream stays in the group) and closes the gap; false when it did not exist.</summary>
    public async Task<bool> UnlinkAsync(long linkId, CancellationToken cancellationToken)
    {
        return await databases.InTransactionAsync<bool>(async db =>
        {
            var link = await db.VirtualRegistryUpstreamLinks.AsNoTracking().FirstOrDefaultAsync(l => l.Id == linkId, cancellationToken);
            if (link is null)
            {
                return false;
            }

            await CloseGapAsync(db, link, cancellationToken);
            await db.VirtualRegistryUpstreamLinks.Where(l => l.Id == linkId).ExecuteDeleteAsync(cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>Within a transaction: locks the link's registry and moves the links after it up by one.</summary>
    internal static async Task CloseGapAsync(ProxyDbContext db, VirtualRegistryUpstreamLink link, CancellationToken cancellationToken)
    {
        await RowLocks.LockRegistryAsync(db, link.RegistryId, cancellationToken);
        var position = await db.VirtualRegistryUpstreamLinks.Where(l => l.Id == link.Id).Select(l => l.Position).FirstAsync(cancellationToken);
        await db.VirtualRegistryUpstreamLinks.Where(l => l.RegistryId == link.RegistryId && l.Position > position)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Position, l => l.Position - 1), cancellationToken);
    }

    /// <summary>Why the registry takes no more upstreams, or null.</summary>
    internal static async Task<string?> RoomProblemAsync(ProxyDbContext db, long registryId, VirtualRegistryOptions options, CancellationToken cancellationToken)
    {
        var limit = options.MaxUpstreamsPerRegistry;
        return await db.VirtualRegistryUpstreamLinks.CountAsync(l => l.RegistryId == registryId, cancellationToken) >= limit
            ? $"this virtual registry already has {limit} upstreams, the most allowed ({VirtualRegistryOptions.Section}:MaxUpstreamsPerRegistry); remove one first"
            : null;
    }
}
