using DependencyProxy.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Backup;

/// <summary>
/// <c>backup create DIR</c> on a SQLite + filesystem data directory, while the server may be running:
/// 1. the database, copied with SQLite's online backup (one consistent snapshot, taken under a read lock that writers in
///    WAL mode do not wait for), then turned into a standalone file (journal mode DELETE);
/// 2. the keys (registry token signing key, data-protection key ring), with their SHA-256 in the manifest;
/// 3. the content, after the snapshot so that everything the snapshot names was already stored: hard links where the
///    filesystem allows, copies otherwise, each file then hashed against its name; a damaged file is left out (the next
///    pull fetches it again);
/// 4. <c>backup.json</c>, then the marker holding its hash: until the marker is there, the backup is not one.
/// </summary>
internal sealed class BackupWriter(string dataDirectory, Action<string> warn)
{
    public async Task<BackupManifest> CreateAsync(string target, CancellationToken cancellationToken)
    {
        var database = Path.Combine(dataDirectory, BackupManifest.DatabaseName);
        await SnapshotDatabaseAsync(database, Path.Combine(target, BackupManifest.DatabaseName), cancellationToken);
        var files = new List<BackupFile> { await DescribeAsync(target, BackupManifest.DatabaseName, cancellationToken) };
        var snapshot = await BackupDatabase.ReadAsync(Path.Combine(target, BackupManifest.DatabaseName), cancellationToken);

        foreach (var key in KeyFiles.Under(dataDirectory))
        {
            var to = Path.Combine(target, key);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(Path.Combine(dataDirectory, key), to);
            using (var written = new FileStream(to, FileMode.Open, FileAccess.ReadWrite))
            {
                written.Flush(flushToDisk: true); // on disk before the marker says the backup is complete
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(to, File.GetUnixFileMode(Path.Combine(dataDirectory, key)));
            }

            files.Add(await DescribeAsync(target, key, cancellationToken));
        }

        var content = await CopyContentAsync(target, cancellationToken);
        // A damaged file was warned about already, as damaged: it is not missing as well.
        var missing = snapshot.ReferencedContent.Where(d => !content.Stored.Contains(d) && !content.Damaged.Contains(d)).ToList();
        foreach (var digest in missing)
        {
            warn($"{digest} is named by the database but was not in the data directory (removed meanwhile, or lost): it will be fetched again when pulled");
        }

        var manifest = new BackupManifest(BackupManifest.CurrentFormat, BackupManifest.ThisVersion, snapshot.Schema, DateTimeOffset.UtcNow,
            dataDirectory, snapshot.Counts with
            {
                ContentFiles = content.Stored.Count,
                ContentBytes = content.Bytes,
                ContentLinked = content.Linked,
                ContentCopied = content.Stored.Count - content.Linked,
                DamagedLeftOut = content.Damaged.Count,
                MissingContent = missing.Count,
            }, files);
        var bytes = manifest.ToBytes();
        await WriteDurablyAsync(Path.Combine(target, BackupManifest.FileName), bytes, cancellationToken);
        await WriteDurablyAsync(Path.Combine(target, BackupManifest.MarkerName), System.Text.Encoding.ASCII.GetBytes(BackupManifest.MarkerFor(bytes)),
            cancellationToken);
        return manifest;
    }

    private static async Task SnapshotDatabaseAsync(string source, string target, CancellationToken cancellationToken)
    {
        // No pooling: both files must be closed when this returns (the copy is hashed next; nothing keeps the source open).
        await using var from = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 }.ToString());
        await using var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
        await from.OpenAsync(cancellationToken);
        await to.OpenAsync(cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            // Created owner-only before SQLite writes it: password and token hashes are never readable by others, not even briefly.
            File.Create(target).Dispose();
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        from.BackupDatabase(to);
        await using var standalone = to.CreateCommand();
        standalone.CommandText = "PRAGMA journal_mode=DELETE;";
        await standalone.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record ContentCopied(HashSet<Oci.Digest> Stored, long Bytes, int Linked, HashSet<Oci.Digest> Damaged);

    private async Task<ContentCopied> CopyContentAsync(string target, CancellationToken cancellationToken)
    {
        var stored = new HashSet<Oci.Digest>();
        long bytes = 0;
        var linked = 0;
        var damaged = new HashSet<Oci.Digest>();
        foreach (var file in ContentFiles.Under(dataDirectory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var to = Path.Combine(target, ContentFiles.RelativePathOf(file.Digest));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            var outcome = HardLinks.TryLink(file.FullPath, to);
            if (outcome == HardLinks.Outcome.SourceMissing)
            {
                continue;
            }

            bool good;
            try
            {
                good = outcome == HardLinks.Outcome.Linked
                    ? await ContentFiles.MatchesAsync(to, file.Digest, cancellationToken)
                    : await ContentFiles.CopyCheckedAsync(file.FullPath, to, file.Digest.CreateHash(), file.Digest.Matches, cancellationToken);
            }
            catch (FileNotFoundException)
            {
                continue; // removed between listing and copying
            }

            if (!good)
            {
                File.Delete(to);
                damaged.Add(file.Digest);
                warn($"{file.FullPath} does not match its digest: left out of the backup (it will be fetched again when pulled)");
                continue;
            }

            stored.Add(file.Digest);
            bytes += new FileInfo(to).Length;
            linked += outcome == HardLinks.Outcome.Linked ? 1 : 0;
        }

        return new ContentCopied(stored, bytes, linked, damaged);
    }

    private static async Task<BackupFile> DescribeAsync(string root, string relative, CancellationToken cancellationToken)
    {
        var path = Path.Combine(root, relative);
        return new BackupFile(relative.Replace(Path.DirectorySeparatorChar, '/'), new FileInfo(path).Length,
            await ContentFiles.Sha256Async(path, cancellationToken));
    }

    private static async Task WriteDurablyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        await stream.WriteAsync(bytes, cancellationToken);
        stream.Flush(flushToDisk: true);
    }
}
