using DependencyProxy.Oci;
using Microsoft.Win32.SafeHandles;

namespace DependencyProxy.Storage;

/// <summary>
/// Local temp files under <c>&lt;data&gt;/content/tmp</c> that downloads are written to while clients read them, before
/// the content is verified and committed to the store. Also guards the disk they are on: the free-space reserve is
/// checked before a download starts, and after a write failed for lack of room new downloads are refused for a while.
/// </summary>
internal sealed class ContentSpool
{
    /// <summary>After a write failed for want of room, new content is refused at once for this long rather than
    /// downloaded only to fail again part-way (the free-space figure may not show why, e.g. a quota or file-size limit).</summary>
    private static readonly TimeSpan FullBackoff = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private long _fullUntilTicks;

    public ContentSpool(string dataDirectory, long minFreeBytes = 0, TimeProvider? time = null)
    {
        MinFreeBytes = minFreeBytes;
        _time = time ?? TimeProvider.System;
        Directory = Path.Combine(Path.GetFullPath(dataDirectory), ContentLayout.Folder, "tmp");
        System.IO.Directory.CreateDirectory(Directory);
        FreeSpace = () => new DriveInfo(Directory).AvailableFreeSpace;
    }

    public string Directory { get; }

    /// <summary>Free space to leave on the disk (<c>DependencyProxy:Storage:MinFreeBytes</c>).</summary>
    public long MinFreeBytes { get; set; }

    /// <summary>How much the spool's disk has free; tests replace it to stand for a disk that others are not writing to meanwhile.</summary>
    internal Func<long> FreeSpace { get; set; }

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

        var free = FreeSpace();
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

    /// <summary>
    /// Creates a temp file for new content. The writer holds it open, which keeps a shared lock on it, so
    /// <see cref="DeleteAbandonedTempFiles"/> in another process never removes a file still being written.
    /// </summary>
    public TempContentFile CreateTemp(Digest digest)
    {
        var path = Path.Combine(Directory, $"{digest.Algorithm}-{digest.Hex}.{Guid.NewGuid():N}.part");
        try
        {
            // bufferSize 0: every write reaches the OS at once, so readers of the growing file see it.
            var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0,
                FileOptions.Asynchronous);
            return new TempContentFile(path, stream);
        }
        catch (Exception e) when (StorageUnavailableException.IsLocalWriteFailure(e))
        {
            throw StorageUnavailableException.OfLocalFile(e);
        }
    }

    /// <summary>
    /// Removes temp files that nobody holds open: leftovers of a process that was killed mid-write.
    /// A file still being written by a live process (this one or another sharing the directory) is locked and kept.
    /// </summary>
    public int DeleteAbandonedTempFiles()
    {
        var deleted = 0;
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
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

    /// <summary>Opens a content or temp file for reading while a writer may still be appending to it, or the file be unlinked.</summary>
    public static SafeFileHandle OpenShared(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);

    /// <summary>Writes and deletes a probe file: throws when the spool's disk cannot be written.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var probe = Path.Combine(Directory, $"health-{Guid.NewGuid():N}.probe");
        try
        {
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
        }
        finally
        {
            File.Delete(probe);
        }
    }
}

/// <summary>A temp file being written; either committed by the store or discarded.</summary>
internal sealed class TempContentFile(string path, FileStream stream)
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
        catch (Exception e) when (StorageUnavailableException.IsLocalWriteFailure(e))
        {
            throw StorageUnavailableException.OfLocalFile(e);
        }
    }

    /// <summary>Deletes the file; readers that hold it open keep reading it (POSIX unlink semantics).</summary>
    public void Discard()
    {
        Stream.Dispose();
        File.Delete(Path);
    }
}
