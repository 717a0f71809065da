using DependencyProxy.Registry;
using Microsoft.Win32.SafeHandles;

namespace DependencyProxy.Storage;

/// <summary>
/// Content-addressed files under <c>&lt;data&gt;/content/&lt;algorithm&gt;/&lt;2 hex&gt;/&lt;hex&gt;</c>.
/// Writes go to <c>content/tmp</c> first and become visible only by an atomic rename after verification
/// (rules 1 and 2), so a file at a digest's path always holds exactly that digest's bytes.
/// </summary>
public sealed class FileSystemContentStore
{
    private readonly string _root;
    private readonly string _tempDirectory;

    public FileSystemContentStore(string dataDirectory)
    {
        _root = Path.Combine(Path.GetFullPath(dataDirectory), "content");
        _tempDirectory = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(_tempDirectory);
    }

    public string TempDirectory => _tempDirectory;

    public string PathFor(Digest digest) => Path.Combine(_root, digest.Algorithm, digest.Hex[..2], digest.Hex);

    public bool Exists(Digest digest) => File.Exists(PathFor(digest));

    /// <summary>Opens committed content for reading, or null when it is not stored.</summary>
    public SafeFileHandle? TryOpenRead(Digest digest)
    {
        try
        {
            return OpenShared(PathFor(digest));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Opens committed content as a seekable stream, or null when it is not (or no longer) stored.</summary>
    public FileStream? TryOpenStream(Digest digest)
    {
        try
        {
            return new FileStream(PathFor(digest), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024,
                FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Reads small committed content (a manifest) whole, or null when it is not stored.</summary>
    public async Task<byte[]?> TryReadAllBytesAsync(Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathFor(digest), cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Marks content as just used, so garbage collection leaves it alone for its grace period: called before a new
    /// reference to existing content is recorded. False when the content is gone.
    /// </summary>
    public bool Touch(Digest digest, DateTimeOffset now)
    {
        try
        {
            File.SetLastWriteTimeUtc(PathFor(digest), now.UtcDateTime);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Removes committed content. Readers that hold it open keep reading it (POSIX unlink semantics).</summary>
    public void Delete(Digest digest) => File.Delete(PathFor(digest));

    /// <summary>Every committed file: its digest, size and last write time. Files whose names are not digests are skipped.</summary>
    public IEnumerable<StoredContent> EnumerateContent()
    {
        foreach (var algorithm in new[] { "sha256", "sha512" })
        {
            var directory = new DirectoryInfo(Path.Combine(_root, algorithm));
            if (!directory.Exists)
            {
                continue;
            }

            foreach (var file in directory.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                if (Digest.TryParse($"{algorithm}:{file.Name}", out var digest, out _) && file.Exists)
                {
                    yield return new StoredContent(digest, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
                }
            }
        }
    }

    /// <summary>
    /// Creates a temp file for new content. The writer holds it open, which keeps a shared lock on it, so
    /// <see cref="DeleteAbandonedTempFiles"/> in another process never removes a file still being written.
    /// </summary>
    public TempContentFile CreateTemp(Digest digest)
    {
        var path = Path.Combine(_tempDirectory, $"{digest.Algorithm}-{digest.Hex}.{Guid.NewGuid():N}.part");
        // bufferSize 0: every write reaches the OS at once, so readers of the growing file see it.
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0,
            FileOptions.Asynchronous);
        return new TempContentFile(path, stream);
    }

    /// <summary>
    /// Makes verified temp content visible under its digest. Renaming over an existing file is safe: both hold
    /// the same verified bytes, and readers of the old inode keep reading it.
    /// </summary>
    public void Commit(TempContentFile temp, Digest digest)
    {
        temp.Stream.Flush(flushToDisk: true);
        temp.Stream.Dispose();
        var target = PathFor(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(temp.Path, target, overwrite: true);
    }

    /// <summary>Stores small verified content (manifests) atomically.</summary>
    public async Task PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (digest.ComputeSameAlgorithm(content.Span) != digest)
        {
            throw new InvalidOperationException($"content does not match {digest}");
        }

        var temp = CreateTemp(digest);
        try
        {
            await temp.Stream.WriteAsync(content, cancellationToken);
            Commit(temp, digest);
        }
        catch
        {
            temp.Discard();
            throw;
        }
    }

    /// <summary>
    /// Removes temp files that nobody holds open: leftovers of a process that was killed mid-write.
    /// A file still being written by a live process (this one or another sharing the directory) is locked and kept.
    /// </summary>
    public int DeleteAbandonedTempFiles()
    {
        var deleted = 0;
        foreach (var path in Directory.EnumerateFiles(_tempDirectory))
        {
            try
            {
                using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                }

                File.Delete(path);
                deleted++;
            }
            catch (IOException)
            {
                // In use by a writer, or already gone.
            }
        }

        return deleted;
    }

    internal static SafeFileHandle OpenShared(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
}

/// <summary>One committed content file.</summary>
public sealed record StoredContent(Digest Digest, long Size, DateTimeOffset LastWrite);

/// <summary>A temp file being written; either committed by the store or discarded.</summary>
public sealed class TempContentFile(string path, FileStream stream)
{
    public string Path { get; } = path;

    public FileStream Stream { get; } = stream;

    public void Discard()
    {
        Stream.Dispose();
        File.Delete(Path);
    }
}
