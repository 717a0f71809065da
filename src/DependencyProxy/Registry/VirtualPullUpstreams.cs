using DependencyProxy.VirtualRegistries;
using DependencyProxy.Auth;
using DependencyProxy.Caching;
using DependencyProxy.Data;
using DependencyProxy.Upstream;

namespace DependencyProxy.Registry;

/// <summary>
/// Turns a virtual registry's upstream rows into what a pull asks (issue 18). Each URL goes through
/// <see cref="UpstreamResolver.TryFindConfigured"/> on every pull, so an upstream whose registry the operator has since
/// switched off is never contacted (no SSRF, whatever the row says). Each upstream fetches with its own account only: its
/// password is decrypted when that upstream's token flow first needs it, and its tokens and fills are keyed by the upstream's
/// id, so no other upstream ever sees them.
/// </summary>
internal sealed partial class VirtualPullUpstreams(UpstreamResolver resolver, UpstreamAccounts accounts, ILogger<VirtualPullUpstreams> logger)
{
    public VirtualRegistryView ViewOf(VirtualPullAccess access, string image)
    {
        var upstreams = new List<VirtualUpstream>(access.Upstreams.Count);
        foreach (var row in access.Upstreams)
        {
            if (!resolver.TryFindConfigured(row.Url, out var registry, out var error))
            {
                LogUpstreamNotAllowed(access.Registry.Id, row.Id, error);
                continue;
            }

            var validity = row.CacheValidityHours <= 0 ? (TimeSpan?)null : TimeSpan.FromHours(row.CacheValidityHours);
            upstreams.Add(new VirtualUpstream(row.Id, registry.Repository(image, CredentialsOf(row)), validity));
        }

        // Every upstream but the last has somewhere else to go: a failure skips it until its circuit's next probe, so a dead
        // upstream costs one timeout per CircuitOpenDuration instead of one per pull. The last waits as a group pull does.
        for (var i = 0; i < upstreams.Count - 1; i++)
        {
            upstreams[i] = upstreams[i] with { Repository = upstreams[i].Repository with { Mode = UpstreamCallMode.Fallback } };
        }

        return new VirtualRegistryView(access.Registry.Id, access.Group.Id, access.Group.CacheGeneration, upstreams) { BlobHolders = access.BlobHolders };
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
