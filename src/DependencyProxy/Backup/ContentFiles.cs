using System.Security.Cryptography;
using DependencyProxy.Oci;
using DependencyProxy.Storage;

namespace DependencyProxy.Backup;

/// <summary>
/// The content files of a data directory or a backup (both use the store's layout, <c>content/&lt;algorithm&gt;/&lt;2 hex&gt;/&lt;hex&gt;</c>),
/// and the one way both commands check a file: its bytes hashed against the digest it is named by.
/// </summary>
internal static class ContentFiles
{
    public sealed record Entry(Digest Digest, string FullPath);

    public static string RelativePathOf(Digest digest) => Path.Combine(ContentLayout.Folder, ContentLayout.PathInFolder(digest));

    /// <summary>Every file named by a digest in the right folder; anything else there (the spool's temp files) is not content.</summary>
    public static IEnumerable<Entry> Under(string root)
    {
        foreach (var algorithm in ContentLayout.Algorithms)
        {
            var directory = new DirectoryInfo(Path.Combine(root, ContentLayout.Folder, algorithm));
            if (!directory.Exists)
            {
                continue;
            }

            foreach (var file in directory.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                if (Digest.TryParse($"{algorithm}:{file.Name}", out var digest, out _) && file.Directory?.Name == digest.Hex[..2]
                    && file.FullName == Path.Combine(root, RelativePathOf(digest)))
                {
                    yield return new Entry(digest, file.FullName);
                }
            }
        }
    }

    /// <summary>True when the file's bytes have the digest it is named by.</summary>
    public static async Task<bool> MatchesAsync(string path, Digest digest, CancellationToken cancellationToken)
    {
        using var hash = digest.CreateHash();
        await using var stream = OpenRead(path);
        await HashAsync(stream, hash, null, cancellationToken);
        return digest.Matches(hash);
    }

    /// <summary>The SHA-256 of a file, lower-case hex (the database and key files of a manifest).</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var stream = OpenRead(path);
        await HashAsync(stream, hash, null, cancellationToken);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Copies <paramref name="from"/> to a temp file beside <paramref name="to"/>, hashing what it reads, flushes it to
    /// disk, and renames it into place only when <paramref name="accept"/> says the hash is right; false otherwise.
    /// </summary>
    public static async Task<bool> CopyCheckedAsync(string from, string to, IncrementalHash hash, Func<IncrementalHash, bool> accept,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        var temp = to + ".partial";
        await using (var source = OpenRead(from))
        await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
        {
            await HashAsync(source, hash, target, cancellationToken);
            target.Flush(flushToDisk: true);
        }

        if (!accept(hash))
        {
            File.Delete(temp);
            return false;
        }

        File.SetLastWriteTimeUtc(temp, File.GetLastWriteTimeUtc(from));
        File.Move(temp, to);
        return true;
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static async Task HashAsync(Stream source, IncrementalHash hash, Stream? copy, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 18);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                if (copy is not null)
                {
                    await copy.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
