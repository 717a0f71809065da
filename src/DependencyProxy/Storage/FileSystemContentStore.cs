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
    /// <summary>After a write failed for want of room, new content is refused at once for this long rather than
    /// downloaded only to fail again part-way (the free-space figure may not show why, e.g. a quota or file-size limit).</summary>
    private static readonly TimeSpan FullBackoff = TimeSpan.FromSeconds(30);

    private readonly string _root;
    private readonly string _tempDirectory;
    private readonly TimeProvider _time;
    private long _fullUntilTicks;

    public FileSystemContentStore(string dataDirectory, long minFreeBytes = 0, TimeProvider? time = null)
    {
        MinFreeBytes = minFreeBytes;
        _time = time ?? TimeProvider.System;
        _root = Path.Combine(Path.GetFullPath(dataDirectory), "content");
        _tempDirectory = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(_tempDirectory);
    }

    public string TempDirectory => _tempDirectory;

    /// <summary>Free space to leave on the disk (<c>DependencyProxy:Storage:MinFreeBytes</c>).</summary>
    public long MinFreeBytes { get; set; }

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
    /// <summary>
    /// Throws <see cref="StorageFullException"/> unless <paramref name="bytes"/> more can be written while keeping the
    /// configured free-space reserve, so a full disk is reported before a download starts, not half-way through it.
    /// </summary>
    public void EnsureRoomFor(long bytes)
    {
        if (_time.GetUtcNow().UtcTicks < Interlocked.Read(ref _fullUntilTicks))
        {
            throw new StorageFullException("a recent write failed for lack of space");
        }

        var free = new DriveInfo(_root).AvailableFreeSpace;
        if (free - bytes < MinFreeBytes)
        {
            throw new StorageFullException(
                $"{bytes} bytes would leave {Math.Max(0, free - bytes)} of the {MinFreeBytes} bytes kept free (DependencyProxy:Storage:MinFreeBytes)");
        }
    }

    /// <summary>Turns a write failure that means "no room" into <see cref="StorageFullException"/> and remembers it.</summary>
    public Exception Classify(Exception failure)
    {
        // The reserve check's refusal has no inner failure: the free-space figure explains it and is asked again next time.
        if (!StorageFullException.IsDiskFull(failure) || failure is StorageFullException { InnerException: null })
        {
            return failure;
        }

        Interlocked.Exchange(ref _fullUntilTicks, (_time.GetUtcNow() + FullBackoff).UtcTicks);
        return failure as StorageFullException ?? new StorageFullException(failure.Message, failure);
    }

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

        EnsureRoomFor(content.Length);
        TempContentFile? temp = null;
        try
        {
            temp = CreateTemp(digest);
            await temp.WriteAsync(content, cancellationToken);
            Commit(temp, digest);
        }
        catch (Exception e)
        {
            temp?.Discard();
            if (Classify(e) is StorageFullException full)
            {
                throw full;
            }

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

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            await Stream.WriteAsync(content, cancellationToken);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // How .NET reports EFBIG: a file-size limit (a quota, ulimit -f) is as full as a full disk.
            throw new StorageFullException($"the file grew past the size this process may write ({e.Message})", e);
        }
    }

    public void Discard()
    {
        Stream.Dispose();
        File.Delete(Path);
    }
}
