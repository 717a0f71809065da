using DependencyProxy.Common;
using DependencyProxy.Data;
using DependencyProxy.Events;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Caching;

/// <summary>
/// The events of the manifest cache: a tag cached for the first time in a scope, a tag whose digest changed upstream, and a
/// stale answer (at most once per group, image and tag every <c>Webhooks:StaleEventInterval</c>, so an outage during a
/// busy morning is one event per image, not one per pull).
/// </summary>
internal sealed class CacheEvents(IProxyEvents events, IOptions<WebhookOptions> options, TimeProvider time)
{
    /// <summary>
    /// Concurrent pulls of a new tag share one upstream fetch but each stores its link: the first store of a tag's digest
    /// in a scope is the event, the others within this time are the same event.
    /// </summary>
    private static readonly TimeSpan SameStore = TimeSpan.FromMinutes(1);

    private readonly ExpiringLruCache<bool> _staleSent = new(time, capacity: 10_000);
    private readonly ExpiringLruCache<bool> _storedSent = new(time, capacity: 10_000);

    /// <summary>
    /// A tag was just stored as <paramref name="digest"/>: a first fill when the scope held no entry for it
    /// (<paramref name="before"/> null), a change when the entry had another digest; the same digest is no event.
    /// </summary>
    public void TagStored(CacheScope scope, UpstreamRepository repository, string tag, CachedManifest? before, Digest digest, string mediaType)
    {
        var current = digest.ToString();
        if (before is not null && before.Digest == current)
        {
            return;
        }

        if (!FirstWithin(_storedSent, $"{scope}|{repository}|{tag}|{current}", SameStore))
        {
            return;
        }

        var data = new Dictionary<string, object?>
        {
            ["registry"] = repository.Registry,
            ["image"] = repository.Name,
            ["tag"] = tag,
            ["digest"] = current,
            ["media_type"] = mediaType,
        };
        if (before is not null)
        {
            data["previous_digest"] = before.Digest;
        }

        AddScope(data, scope);
        events.Publish(new ProxyEvent(before is null ? ProxyEventTypes.ImageCached : ProxyEventTypes.TagChanged, scope.GroupId,
            $"{repository}:{tag}", data));
    }

    /// <summary>
    /// Why upstream failed, as group hooks may see it: the kind only (<c>unreachable</c>, <c>timeout</c>, <c>rate_limited</c>,
    /// <c>bad_response</c>, <c>refused</c>). The exception's message can name the upstream's address and port, which the
    /// administrator configured and a group owner's receiver has no business learning; the server's log keeps it.
    /// </summary>
    public static string ReasonOf(UpstreamException failure) => failure.Kind switch
    {
        UpstreamFailureKind.Unreachable => "unreachable",
        UpstreamFailureKind.Timeout => "timeout",
        UpstreamFailureKind.RateLimited => "rate_limited",
        UpstreamFailureKind.Refused => "refused",
        _ => "bad_response",
    };

    /// <summary>A cached tag was served because upstream failed; published unless the same one was within the interval.</summary>
    public void ServedStale(CacheScope scope, UpstreamRepository repository, string tag, string digest, string reason) =>
        ServedStale(scope, repository.Registry, repository.Name, tag, digest, reason);

    /// <summary>The same for a cached entry a virtual registry served because every upstream failed.</summary>
    public void ServedStale(CachedManifest entry, string reason) =>
        ServedStale(new CacheScope(entry.GroupId, entry.VirtualUpstreamId), entry.Registry, entry.Repository, entry.Reference, entry.Digest, reason);

    private void ServedStale(CacheScope scope, string registry, string image, string tag, string digest, string reason)
    {
        var interval = options.Value.StaleEventInterval;
        var key = $"{scope}|{registry}/{image}|{tag}";
        if (interval > TimeSpan.Zero && !FirstWithin(_staleSent, key, interval))
        {
            return;
        }

        var data = new Dictionary<string, object?>
        {
            ["registry"] = registry,
            ["image"] = image,
            ["tag"] = tag,
            ["digest"] = digest,
            ["reason"] = reason,
        };
        AddScope(data, scope);
        events.Publish(new ProxyEvent(ProxyEventTypes.ServedStale, scope.GroupId, $"{registry}/{image}:{tag}", data));
    }

    /// <summary>True for the first call with <paramref name="key"/> within <paramref name="interval"/> (checked and noted at once).</summary>
    private bool FirstWithin(ExpiringLruCache<bool> sent, string key, TimeSpan interval)
    {
        lock (sent)
        {
            if (sent.TryGet(key, out _))
            {
                return false;
            }

            sent.Set(key, true, time.GetUtcNow() + interval);
            return true;
        }
    }

    private static void AddScope(Dictionary<string, object?> data, CacheScope scope)
    {
        if (scope.IsVirtual)
        {
            data["virtual_registry_upstream_id"] = scope.VirtualUpstreamId;
        }
    }
}
