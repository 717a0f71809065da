using DependencyProxy.Caching;
using DependencyProxy.Data;
using DependencyProxy.Upstream;

namespace DependencyProxy.VirtualRegistries;

/// <summary>
/// Turns a virtual registry's upstream rows into what a pull (or a warm-up) asks (issue 18). Each URL goes through
/// <see cref="UpstreamResolver.TryFindConfigured"/> every time, so an upstream whose registry the operator has since
/// switched off is never contacted (no SSRF, whatever the row says). Each upstream fetches with its own account only: its
/// password is decrypted when that upstream's token flow first needs it, and its tokens and fills are keyed by the upstream's
/// id, so no other upstream ever sees them.
/// </summary>
internal sealed partial class VirtualRegistryViews(UpstreamResolver resolver, UpstreamAccounts accounts, ILogger<VirtualRegistryViews> logger)
{
    /// <param name="registry">The virtual registry.</param>
    /// <param name="group">Its top-level group (the cache scope's owner and generation).</param>
    /// <param name="rows">The registry's upstreams in position order.</param>
    /// <param name="image">The repository name asked for, without a registry host.</param>
    /// <param name="blobHolders">For a blob request, the upstreams whose cache holds it when already read; null otherwise.</param>
    public VirtualRegistryView ViewOf(VirtualRegistry registry, Group group, IReadOnlyList<VirtualRegistryUpstream> rows, string image,
        IReadOnlyList<long>? blobHolders)
    {
        var upstreams = new List<VirtualUpstream>(rows.Count);
        foreach (var row in rows)
        {
            if (!resolver.TryFindConfigured(row.Url, out var configured, out var error))
            {
                LogUpstreamNotAllowed(registry.Id, row.Id, error);
                continue;
            }

            var validity = row.CacheValidityHours <= 0 ? (TimeSpan?)null : TimeSpan.FromHours(row.CacheValidityHours);
            upstreams.Add(new VirtualUpstream(row.Id, configured.Repository(image, CredentialsOf(row)), validity));
        }

        // Every upstream but the last has somewhere else to go: a failure skips it until its circuit's next probe, so a dead
        // upstream costs one timeout per CircuitOpenDuration instead of one per pull. The last waits as a group pull does.
        for (var i = 0; i < upstreams.Count - 1; i++)
        {
            upstreams[i] = upstreams[i] with { Repository = upstreams[i].Repository with { Mode = UpstreamCallMode.Fallback } };
        }

        return new VirtualRegistryView(registry.Id, group.Id, group.CacheGeneration, upstreams) { BlobHolders = blobHolders };
    }

    private UpstreamCredentials? CredentialsOf(VirtualRegistryUpstream row)
    {
        if (string.IsNullOrEmpty(row.Username))
        {
            return null;
        }

        // Keys that were lost decrypt to nothing: the upstream goes anonymous until its password is set again.
        var protectedPassword = row.PasswordProtected;
        return new UpstreamCredentials(row.Username, _ => Task.FromResult(accounts.Unprotect(protectedPassword)), owner: $"virtual-upstream:{row.Id}");
    }

    [LoggerMessage(EventId = LogEvents.VirtualUpstreamNotAllowed, Level = LogLevel.Warning,
        Message = "Virtual registry {RegistryId}: upstream {UpstreamId} is skipped: {Reason}")]
    private partial void LogUpstreamNotAllowed(long registryId, long upstreamId, string reason);
}
