using System.CommandLine;
using DependencyProxy.Caching;
using DependencyProxy.Cleanup;
using DependencyProxy.Common;
using DependencyProxy.Groups;
using DependencyProxy.Web;

namespace DependencyProxy.Cli;

/// <summary><c>cache purge</c>, <c>cleanup run</c> and <c>usage</c>: the cache lifecycle without HTTP.</summary>
internal static class CacheCommands
{
    public static Command CreateCache()
    {
        var group = new Argument<string>("group") { Description = "The group's full path." };
        var cache = new Command("cache", "Manage a group's cache.");
        cache.Subcommands.Add(ProxyCommandLine.Leaf("purge", "Remove everything a group has cached (then clean up at once).", async (result, services, ct) =>
        {
            var target = await services.GetRequiredService<GroupDirectory>().FindAsync(result.GetValue(group)!, ct);
            if (target is null)
            {
                return await GroupCommands.NoSuchGroupAsync(result.GetValue(group)!);
            }

            // As the REST API's purge does (its event too); then the cleaner runs here at once.
            await services.GetRequiredService<GroupCachePurge>().PurgeAsync(target.Id, ct);
            var run = await services.GetRequiredService<CacheCleaner>().RunOnceAsync(ct);
            ProxyCommandLine.Out.WriteLine($"Purged '{target.FullPath}': {run.DestroyedEntries} entries deleted, {run.Collected.FilesDeleted} files " +
                $"({ByteSize.Format(run.Collected.BytesDeleted)}) collected; content still within the grace period goes on the next run.");
            return 0;
        }, group));
        cache.Subcommands.Add(CreateDelete());
        cache.Subcommands.Add(WarmCommand.Create());

        var enabled = CliValues.Boolean("--enabled", "Turn the cleanup policy on or off");
        var ttl = CliValues.WholeNumber("--ttl", "of days", DependencyProxySettings.MinTtlDays, DependencyProxySettings.MaxTtlDays,
            $"Days an entry may go unread before cleanup removes it ({DependencyProxySettings.MinTtlDays} to {DependencyProxySettings.MaxTtlDays}).");
        cache.Subcommands.Add(ProxyCommandLine.Leaf("policy", "Show or change a group's cleanup policy (image_ttl_policy).", async (result, services, ct) =>
        {
            var target = await services.GetRequiredService<GroupDirectory>().FindAsync(result.GetValue(group)!, ct);
            if (target is null)
            {
                return await GroupCommands.NoSuchGroupAsync(result.GetValue(group)!);
            }

            var updated = await services.GetRequiredService<DependencyProxySettings>()
                .UpdateCleanupPolicyAsync(target.Id, CliValues.Truth(result.GetValue(enabled)), result.GetValue(ttl), ct);
            ProxyCommandLine.Out.WriteLine($"'{target.FullPath}': cleanup policy {(updated!.CleanupEnabled ? "enabled" : "disabled")}, ttl {updated.CleanupTtlDays} days");
            return 0;
        }, group, enabled, ttl));
        return cache;
    }

    /// <summary><c>cache delete GROUP IMAGE[:TAG]</c>: one image, as the web page's Delete button (then clean up at once).</summary>
    private static Command CreateDelete()
    {
        var group = new Argument<string>("group") { Description = "The group's full path." };
        var image = new Argument<string>("image") { Description = "The image as pulled through the group: alpine, library/alpine:3.19, ghcr.io/org/app@sha256:…" };
        // A malformed name is a usage error (exit 2), as other malformed values; a well-formed one that is not cached is exit 1.
        image.Validators.Add(result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (CachedImageName.Parse(text) is null)
            {
                result.AddError($"'{text}' is no image name: IMAGE[:TAG] or IMAGE@DIGEST");
            }
        });
        return ProxyCommandLine.Leaf("delete", "Remove one cached image (tag) of a group; layers no other image uses are collected.", async (result, services, ct) =>
        {
            var path = result.GetValue(group)!;
            var target = await services.GetRequiredService<GroupDirectory>().FindAsync(path, ct);
            if (target is null)
            {
                return await ProxyCommandLine.FailAsync($"no such group '{path}'");
            }

            var text = result.GetValue(image)!;
            if (CachedImageName.Parse(text) is not var (name, reference))
            {
                return await ProxyCommandLine.FailAsync($"'{text}' is no image name: IMAGE[:TAG] or IMAGE@DIGEST");
            }

            if (!services.GetRequiredService<Upstream.UpstreamResolver>().TryResolve(name, out var repository, out var error))
            {
                return await ProxyCommandLine.FailAsync(error.Message);
            }

            var entry = await services.GetRequiredService<CacheRecords>().FindManifestAsync(target.Id, repository, reference, ct);
            if (entry is null)
            {
                return await ProxyCommandLine.FailAsync($"no cached image '{text}' in group '{target.FullPath}'");
            }

            var deleted = await services.GetRequiredService<ImageDeletion>().DeleteAsync(target.Id, entry.Id, ct);
            var run = await services.GetRequiredService<CacheCleaner>().RunOnceAsync(ct);
            ProxyCommandLine.Out.WriteLine($"Deleted {repository}{(CachedImages.IsDigest(reference) ? "@" : ":")}{reference} from '{target.FullPath}' ({deleted?.PlatformEntries ?? 0} platform entries, " +
                $"{deleted?.BlobLinks ?? 0} layers no other image uses); {run.Collected.FilesDeleted} files ({ByteSize.Format(run.Collected.BytesDeleted)}) collected, " +
                "content still within the grace period goes on the next run.");
            return 0;
        }, group, image);
    }

    public static Command CreateCleanup()
    {
        var cleanup = new Command("cleanup", "Run the cleaner: TTL policies, purges, garbage collection and the quota.");
        cleanup.Subcommands.Add(ProxyCommandLine.Leaf("run", "Run one cleanup now (safe while servers run, and twice at once).", async (_, services, ct) =>
        {
            var run = await services.GetRequiredService<CacheCleaner>().RunOnceAsync(ct);
            ProxyCommandLine.Out.WriteLine($"expired entries: {run.ExpiredEntries}, deleted entries: {run.DestroyedEntries}, " +
                $"collected files: {run.Collected.FilesDeleted} ({ByteSize.Format(run.Collected.BytesDeleted)}), evicted files: {run.Quota.FilesEvicted}, " +
                $"store: {ByteSize.Format(run.Quota.BytesAfter)}");
            return 0;
        }));
        return cleanup;
    }

    public static Command CreateUsage()
    {
        var bytes = new Option<bool>("--bytes") { Description = "Sizes as exact byte counts, for scripts." };
        var json = CliValues.JsonOutput();
        return ProxyCommandLine.Leaf("usage", "Show what each group's cache holds and what is on disk.", async (result, services, ct) =>
        {
            var usage = await services.GetRequiredService<UsageReport>().ForInstanceAsync(ct);
            if (result.GetValue(json))
            {
                ProxyCommandLine.Out.WriteLine(CliValues.Serialize(usage));
                return 0;
            }

            var size = (long value) => result.GetValue(bytes) ? $"{value} bytes" : ByteSize.Format(value);
            ProxyCommandLine.Out.WriteLine($"on disk: {size(usage.BytesOnDisk)} in {usage.FilesOnDisk} files (logical, summed over groups: {size(usage.LogicalBytes)})" +
                (usage.MaxBytes is { } max ? $"; quota {size(max)}" : ""));
            CliValues.WriteList(ProxyCommandLine.Out, false, usage.Groups, ("GROUP", g => g.FullPath), ("IMAGES", g => $"{g.ImageCount}"),
                ("BLOBS", g => $"{g.BlobCount}"), ("SIZE", g => result.GetValue(bytes) ? $"{g.TotalBytes}" : ByteSize.Format(g.TotalBytes)));
            if (usage.VirtualRegistries.Count > 0)
            {
                ProxyCommandLine.Out.WriteLine($"virtual registries (their upstreams' caches, each once: {size(usage.VirtualRegistryBytes)}):");
                CliValues.WriteList(ProxyCommandLine.Out, false, usage.VirtualRegistries, ("ID", r => $"{r.RegistryId}"), ("GROUP", r => r.FullPath),
                    ("NAME", r => r.Name), ("MANIFESTS", r => $"{r.ManifestCount}"), ("BLOBS", r => $"{r.BlobCount}"), ("SIZE", r => size(r.TotalBytes)));
            }

            return 0;
        }, bytes, json);
    }
}
