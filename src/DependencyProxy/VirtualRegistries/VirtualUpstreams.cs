using DependencyProxy.Data;
using DependencyProxy.Upstream;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.VirtualRegistries;

/// <summary>An upstream with its place in one registry (GitLab's upstream JSON with <c>registry_upstream</c>).</summary>
internal sealed record LinkedUpstream(VirtualRegistryUpstream Upstream, VirtualRegistryUpstreamLink Link);

/// <summary>
/// The upstreams of a top-level group's virtual registries: created into a registry (linked last), listed per registry
/// in the order they are asked or per group, changed, deleted. The password is encrypted with Data Protection under
/// <see cref="VirtualRegistryUpstream.PasswordProtectionPurpose"/> (<see cref="UpstreamAccounts"/>) and never handed back;
/// it is decrypted only for the upstream's own token flow (<see cref="CredentialsFor"/>).
/// </summary>
internal sealed class VirtualUpstreams(
    IDbContextFactory<ProxyDbContext> databases, VirtualRegistryCache cache, UpstreamResolver resolver, UpstreamAccounts accounts,
    IOptions<VirtualRegistryOptions> options, TimeProvider time)
{
    public async Task<(LinkedUpstream? Created, Refusal? Refusal)> CreateAsync(long registryId, UpstreamInput input, CancellationToken cancellationToken)
    {
        if (input.Problem(creating: true, resolver) is { } problem)
        {
            return (null, Refusal.Invalid(problem));
        }

        return await databases.InTransactionAsync<(LinkedUpstream? Created, Refusal? Refusal)>(async db =>
        {
            var registry = await RowLocks.LockRegistryAsync(db, registryId, cancellationToken)
                ? await db.VirtualRegistries.AsNoTracking().FirstAsync(r => r.Id == registryId, cancellationToken)
                : null;
            if (registry is null)
            {
                return (null, new Refusal(RefusalKind.NotFound, "Virtual registry"));
            }

            if (await UpstreamPositions.RoomProblemAsync(db, registryId, options.Value, cancellationToken) is { } full)
            {
                return (null, Refusal.Invalid(full));
            }

            if (await accounts.IsDuplicateAsync(db, registry.GroupId, input.Url!, input.Username, input.Password, exceptId: 0, cancellationToken))
            {
                return (null, Refusal.Invalid(UpstreamAccounts.DuplicateMessage));
            }

            var now = time.GetUtcNow().UtcDateTime;
            var upstream = new VirtualRegistryUpstream
            {
                GroupId = registry.GroupId, Name = input.Name!.Trim(), Description = input.Description ?? "", Url = input.Url!.Trim(),
                CacheValidityHours = (int)(input.CacheValidityHours ?? 24), CreatedAt = now, UpdatedAt = now,
            };
            accounts.Set(upstream, input.Username, input.Password);
            db.VirtualRegistryUpstreams.Add(upstream);
            await db.SaveChangesAsync(cancellationToken);
            if (input.CacheValidityHours == 0)
            {
                // 0 is the column's CLR default, so EF left it out of the INSERT and the database default (24) applied.
                await db.VirtualRegistryUpstreams.Where(u => u.Id == upstream.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.CacheValidityHours, 0), cancellationToken);
                upstream.CacheValidityHours = 0;
            }

            var position = await db.VirtualRegistryUpstreamLinks.CountAsync(l => l.RegistryId == registryId, cancellationToken) + 1;
            var link = new VirtualRegistryUpstreamLink { GroupId = registry.GroupId, RegistryId = registryId, UpstreamId = upstream.Id, Position = position };
            db.VirtualRegistryUpstreamLinks.Add(link);
            await db.SaveChangesAsync(cancellationToken);
            return (new LinkedUpstream(upstream, link), null);
        }, cancellationToken);
    }

    /// <summary>The registry's upstreams in the order a pull asks them.</summary>
    public async Task<IReadOnlyList<LinkedUpstream>> ListForRegistryAsync(long registryId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await (
            from l in db.VirtualRegistryUpstreamLinks.AsNoTracking()
            join u in db.VirtualRegistryUpstreams.AsNoTracking() on l.UpstreamId equals u.Id
            where l.RegistryId == registryId
            orderby l.Position, l.Id
            select new LinkedUpstream(u, l)).ToListAsync(cancellationToken);
    }

    /// <summary>A page of the group's upstreams by id, optionally those whose name contains <paramref name="name"/> (any case).</summary>
    public async Task<(IReadOnlyList<VirtualRegistryUpstream> Page, int Total)> ListForGroupAsync(
        long groupId, string? name, int offset, int count, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = db.VirtualRegistryUpstreams.AsNoTracking().Where(u => u.GroupId == groupId);
        if (!string.IsNullOrEmpty(name))
        {
            var lower = name.ToLowerInvariant();
            query = query.Where(u => u.Name.ToLower().Contains(lower));
        }

        return (await query.OrderBy(u => u.Id).Skip(offset).Take(count).ToListAsync(cancellationToken), await query.CountAsync(cancellationToken));
    }

    public async Task<VirtualRegistryUpstream?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.VirtualRegistryUpstreams.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
    }

    /// <summary>Every registry the upstream is linked into, with its position there.</summary>
    public async Task<IReadOnlyList<VirtualRegistryUpstreamLink>> LinksAsync(long upstreamId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.VirtualRegistryUpstreamLinks.AsNoTracking().Where(l => l.UpstreamId == upstreamId).OrderBy(l => l.RegistryId)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Changes the given fields; at least one (GitLab's rule). Giving empty username and password removes the account.</summary>
    public async Task<(VirtualRegistryUpstream? Upstream, Refusal? Refusal)> UpdateAsync(long id, UpstreamInput input, CancellationToken cancellationToken)
    {
        if (input.IsEmpty)
        {
            return (null, Refusal.Invalid("name, description, url, username, password, cache_validity_hours are missing, at least one parameter must be provided"));
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var upstream = await db.VirtualRegistryUpstreams.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (upstream is null)
        {
            return (null, new Refusal(RefusalKind.NotFound, "Upstream"));
        }

        // A new password for the account the upstream has: the stored username goes with it (a rotated token needs no
        // username again). Without a stored username the pair rule below refuses it, as GitLab's all_or_none_of.
        if (input is { Password: not null, Username: null } && !string.IsNullOrEmpty(upstream.Username))
        {
            input = input with { Username = upstream.Username };
        }

        if (input.Problem(creating: false, resolver) is { } problem)
        {
            return (null, Refusal.Invalid(problem));
        }

        var url = input.Url?.Trim() ?? upstream.Url;
        var credentialsChange = input.Username is not null;
        // The stored password was given for the stored URL: it never follows the upstream to another one, or whoever may
        // edit the upstream could point it at a registry they watch and collect the password from its token flow. The same
        // configured registry spelled otherwise is no other URL: requests go to the same place.
        if (upstream.PasswordProtected is not null && input.Password is null && accounts.RegistryKey(url) != accounts.RegistryKey(upstream.Url))
        {
            return (null, Refusal.Invalid(PasswordForNewUrl));
        }

        if ((input.Url is not null || credentialsChange) && await accounts.IsDuplicateAsync(db, upstream.GroupId, url,
                credentialsChange ? input.Username : upstream.Username, credentialsChange ? input.Password : accounts.Unprotect(upstream.PasswordProtected),
                exceptId: upstream.Id, cancellationToken))
        {
            return (null, Refusal.Invalid(UpstreamAccounts.DuplicateMessage));
        }

        upstream.Name = input.Name?.Trim() ?? upstream.Name;
        upstream.Description = input.Description ?? upstream.Description;
        upstream.Url = url;
        upstream.CacheValidityHours = (int)(input.CacheValidityHours ?? upstream.CacheValidityHours);
        if (credentialsChange)
        {
            accounts.Set(upstream, input.Username, input.Password);
        }

        upstream.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return (upstream, null);
    }

    public const string PasswordForNewUrl = "password is missing: a new url needs the account's password again (the stored one is never sent " +
        "to another URL); send username and password, or both empty to remove the account";

    /// <summary>Deletes the upstream, its links (closing the gaps they leave) and, marked first, its cache. False when it did not exist.</summary>
    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        await cache.MarkUpstreamsForDestructionAsync([id], cancellationToken);
        return await databases.InTransactionAsync<bool>(async db =>
        {
            foreach (var link in await db.VirtualRegistryUpstreamLinks.AsNoTracking().Where(l => l.UpstreamId == id).ToListAsync(cancellationToken))
            {
                await UpstreamPositions.CloseGapAsync(db, link, cancellationToken);
            }

            var deleted = await db.VirtualRegistryUpstreams.Where(u => u.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
            return deleted;
        }, cancellationToken);
    }

    /// <summary>The account for this upstream's token flow; the password is decrypted only when a request needs it.</summary>
    public UpstreamCredentials? CredentialsFor(VirtualRegistryUpstream upstream) => accounts.CredentialsFor(upstream);
}
