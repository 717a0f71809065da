using DependencyProxy.Data;
using DependencyProxy.Upstream;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.VirtualRegistries;

/// <summary>GitLab's test answer: <c>{"success": true}</c>, or <c>false</c> with what went wrong.</summary>
/// <param name="Success">Reachable, and the account (or anonymous access) accepted.</param>
/// <param name="Result">GitLab's wording (<c>Error: 401 - Unauthorized</c>), null on success.</param>
/// <param name="Detail">Our own sentence on the failure (the host, the status, the timeout), null on success.</param>
internal sealed record ConnectionTestResult(bool Success, string? Result = null, string? Detail = null);

/// <summary>
/// Tests an upstream before or after it is saved, as GitLab does: a HEAD of a manifest through the upstream client's
/// token flow, with the given account. A 2xx or 404 means reachable and accepted; 401/403, a refused token request,
/// 5xx, 429 and network failures are reported. Only a URL that names a configured registry is ever contacted.
/// </summary>
internal sealed class UpstreamConnectionTest(
    UpstreamResolver resolver, UpstreamRegistryClient client, IDbContextFactory<ProxyDbContext> databases, ConnectionTestThrottle throttle)
{
    /// <summary>A repository to ask for when the upstream has nothing cached; a 404 for it is a success.</summary>
    private const string PlaceholderImage = "library/alpine";

    /// <summary>
    /// Null result with a refusal when the URL is not one the instance allows, or <paramref name="caller"/> tested too
    /// often lately (<see cref="ConnectionTestThrottle"/>). <paramref name="upstreamId"/> (0: none) lends the path of
    /// something that upstream has cached; pass 0 when testing another URL, so its cache's names go nowhere else.
    /// </summary>
    public async Task<(ConnectionTestResult? Result, Refusal? Refusal)> TestAsync(
        string url, UpstreamCredentials? credentials, long upstreamId, Identity.Principal caller, CancellationToken cancellationToken)
    {
        if (url.Length > FieldLimits.Url)
        {
            return (null, Refusal.Invalid(FieldLimits.TooLong("url", FieldLimits.Url)));
        }

        if (!resolver.TryFindConfigured(url, out var registry, out var error))
        {
            return (null, Refusal.Invalid(error));
        }

        if (!throttle.TryAcquire(caller))
        {
            return (null, new Refusal(RefusalKind.TooMany,
                $"too many connection tests: at most {ConnectionTestThrottle.PerMinute} a minute each; try again in a minute"));
        }

        var (image, reference) = await TestPathAsync(upstreamId, cancellationToken);
        try
        {
            // Its own budget and no circuit: a test of a dead URL must not open the pull path's circuit, nor one of a live URL close it.
            await client.HeadManifestAsync(registry.Repository(image, credentials) with { Mode = UpstreamCallMode.ConnectionTest }, reference, cancellationToken);
            return (new ConnectionTestResult(true), null);
        }
        catch (UpstreamException e)
        {
            return (Describe(e, anonymous: credentials is null), null);
        }
    }

    /// <summary>GitLab's words for each failure, with ours beside them.</summary>
    /// <remarks>A 401 to an anonymous test refused no credentials: none were sent, so it says the upstream needs some.</remarks>
    private static ConnectionTestResult Describe(UpstreamException e, bool anonymous) => e.Kind switch
    {
        UpstreamFailureKind.NotFound => new ConnectionTestResult(true),
        UpstreamFailureKind.Denied when e.Message.EndsWith("403", StringComparison.Ordinal) =>
            new ConnectionTestResult(false, "Error: 403 - Forbidden", e.Message),
        UpstreamFailureKind.Denied when anonymous => new ConnectionTestResult(false, "Error: 401 - Unauthorized",
            $"the upstream needs credentials: it refused anonymous access ({e.Message}); give a username and password"),
        UpstreamFailureKind.Denied => new ConnectionTestResult(false, "Error: 401 - Unauthorized", $"credentials refused: {e.Message}"),
        UpstreamFailureKind.RateLimited => new ConnectionTestResult(false, "Error: 429 - Too Many Requests", e.Message),
        UpstreamFailureKind.Timeout => new ConnectionTestResult(false, "Error: Connection timeout", e.Message),
        UpstreamFailureKind.Unreachable => new ConnectionTestResult(false, "Error: Connection failed", e.Message),
        UpstreamFailureKind.Refused => new ConnectionTestResult(false, "Error: Refused", e.Message),
        _ => new ConnectionTestResult(false, "Error: 5XX - Server Error", e.Message),
    };

    /// <summary>As GitLab: the path of something the upstream has cached, else a placeholder.</summary>
    private async Task<(string Image, string Reference)> TestPathAsync(long upstreamId, CancellationToken cancellationToken)
    {
        if (upstreamId > 0)
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var cached = await db.CachedManifests.AsNoTracking().Where(m => m.VirtualUpstreamId == upstreamId && m.Status == CacheStatus.Default)
                .OrderByDescending(m => m.ReadAt).Select(m => new { m.Repository, m.Reference }).FirstOrDefaultAsync(cancellationToken);
            if (cached is not null)
            {
                return (cached.Repository, cached.Reference);
            }
        }

        return (PlaceholderImage, "latest");
    }
}
