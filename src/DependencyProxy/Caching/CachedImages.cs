using System.Text.Json;
using DependencyProxy.Data;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Caching;

/// <summary>What an image's stored manifest says about it: the bytes of its config and layers, or its platforms.</summary>
public sealed record ImageSummary(long? ContentBytes, int? Platforms);

/// <summary>A group's cached images (its manifest entries) as the REST API and the web page list them.</summary>
public sealed class CachedImages(IDbContextFactory<ProxyDbContext> databases, IContentStore store)
{
    /// <summary>Most recently pulled first; <paramref name="filter"/> matches the image name or the tag.</summary>
    public async Task<(IReadOnlyList<CachedManifest> Page, int Total)> ListAsync(
        long groupId, string? filter, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = db.CachedManifests.AsNoTracking().Where(m => m.GroupId == groupId);
        if (!string.IsNullOrWhiteSpace(filter))
        {
            var text = filter.Trim();
            query = query.Where(m => m.Repository.Contains(text) || m.Reference.Contains(text));
        }

        return (await query.OrderByDescending(m => m.ReadAt).ThenBy(m => m.Id).Skip(skip).Take(take).ToListAsync(cancellationToken),
            await query.CountAsync(cancellationToken));
    }

    /// <summary>Reads the stored manifest: an image's size is its config plus layers; an index counts its platforms.</summary>
    public async Task<ImageSummary> SummarizeAsync(CachedManifest manifest, CancellationToken cancellationToken)
    {
        if (!Digest.TryParse(manifest.Digest, out var digest, out _) || await store.TryReadAllBytesAsync(digest, cancellationToken) is not { } bytes)
        {
            return new ImageSummary(null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.TryGetProperty("manifests", out var platforms) && platforms.ValueKind == JsonValueKind.Array)
            {
                return new ImageSummary(null, platforms.GetArrayLength());
            }

            long total = SizeOf(root, "config");
            if (root.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array)
            {
                total += layers.EnumerateArray().Sum(layer => layer.TryGetProperty("size", out var size) && size.TryGetInt64(out var n) ? n : 0);
            }

            return new ImageSummary(total, null);
        }
        catch (JsonException)
        {
            return new ImageSummary(null, null);
        }
    }

    private static long SizeOf(JsonElement root, string property) =>
        root.TryGetProperty(property, out var element) && element.ValueKind == JsonValueKind.Object &&
        element.TryGetProperty("size", out var size) && size.TryGetInt64(out var n) ? n : 0;
}
