using DependencyProxy.Data;
using DependencyProxy.VirtualRegistries;

namespace DependencyProxy.Api;

/// <summary>
/// GitLab's JSON for container virtual registries, field for field as its API documentation shows them. An upstream's
/// password is never among them.
/// </summary>
internal static class VirtualRegistryJson
{
    public static object Registry(VirtualRegistry r) => new
    {
        id = r.Id, group_id = r.GroupId, name = r.Name, description = r.Description, created_at = r.CreatedAt, updated_at = r.UpdatedAt,
    };

    /// <summary>PATCH of one registry: GitLab's fields and ours, its own <c>cache_keep_n_days_after_download</c> (null: the group policy's).</summary>
    public static object RegistryWithKeep(VirtualRegistry r) => new
    {
        id = r.Id, group_id = r.GroupId, name = r.Name, description = r.Description, created_at = r.CreatedAt, updated_at = r.UpdatedAt,
        cache_keep_n_days_after_download = r.CacheKeepNDaysAfterDownload,
    };

    /// <summary>GET of one registry: with its <c>registry_upstreams</c> in order, and its own <c>cache_keep_n_days_after_download</c>.</summary>
    public static object RegistryWithLinks(VirtualRegistry r, IEnumerable<VirtualRegistryUpstreamLink> links) => new
    {
        id = r.Id, group_id = r.GroupId, name = r.Name, description = r.Description, created_at = r.CreatedAt, updated_at = r.UpdatedAt,
        cache_keep_n_days_after_download = r.CacheKeepNDaysAfterDownload,
        registry_upstreams = links.Select(l => new { id = l.Id, position = l.Position, upstream_id = l.UpstreamId }),
    };

    public static object Upstream(VirtualRegistryUpstream u) => new
    {
        id = u.Id, group_id = u.GroupId, url = u.Url, name = u.Name, description = u.Description, cache_validity_hours = u.CacheValidityHours,
        username = u.Username, created_at = u.CreatedAt, updated_at = u.UpdatedAt,
    };

    /// <summary>An upstream as one registry lists it: with its <c>registry_upstream</c> there.</summary>
    public static object UpstreamInRegistry(LinkedUpstream linked) => new
    {
        id = linked.Upstream.Id, group_id = linked.Upstream.GroupId, url = linked.Upstream.Url, name = linked.Upstream.Name,
        description = linked.Upstream.Description, cache_validity_hours = linked.Upstream.CacheValidityHours, username = linked.Upstream.Username,
        created_at = linked.Upstream.CreatedAt, updated_at = linked.Upstream.UpdatedAt,
        registry_upstream = new { id = linked.Link.Id, registry_id = linked.Link.RegistryId, position = linked.Link.Position },
    };

    /// <summary>GET of one upstream: with every registry it is linked into.</summary>
    public static object UpstreamWithLinks(VirtualRegistryUpstream u, IEnumerable<VirtualRegistryUpstreamLink> links) => new
    {
        id = u.Id, group_id = u.GroupId, url = u.Url, name = u.Name, description = u.Description, cache_validity_hours = u.CacheValidityHours,
        username = u.Username, created_at = u.CreatedAt, updated_at = u.UpdatedAt,
        registry_upstreams = links.Select(l => new { id = l.Id, registry_id = l.RegistryId, position = l.Position }),
    };

    public static object Link(VirtualRegistryUpstreamLink l) => new { id = l.Id, registry_id = l.RegistryId, upstream_id = l.UpstreamId, position = l.Position };

    /// <summary>
    /// GitLab's cache entry. We keep no MD5, SHA-1, ETag or download count: those are null; <c>digest</c> is ours, and
    /// <c>downloaded_at</c> is the last time the entry was served.
    /// </summary>
    public static object CacheEntry(VirtualCacheEntry e) => new
    {
        id = e.Id, group_id = e.GroupId, upstream_id = e.UpstreamId, upstream_checked_at = e.CheckedAt ?? e.CreatedAt,
        file_md5 = (string?)null, file_sha1 = (string?)null, size = e.Size, relative_path = e.RelativePath, content_type = e.ContentType,
        upstream_etag = (string?)null, created_at = e.CreatedAt, updated_at = e.CheckedAt ?? e.CreatedAt, downloads_count = (long?)null,
        downloaded_at = e.ReadAt, digest = e.Digest,
    };

    public static object TestResult(ConnectionTestResult result) => result.Success
        ? (object)new { success = true }
        : new { success = false, result = result.Result, details = result.Detail };
}
