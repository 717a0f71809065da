using System.Runtime.CompilerServices;
using DependencyProxy.Oci;
using Microsoft.Win32.SafeHandles;

namespace DependencyProxy.Storage;

/// <summary>
/// Content-addressed files under <c>&lt;data&gt;/content/&lt;algorithm&gt;/&lt;2 hex&gt;/&lt;hex&gt;</c>.
/// Downloads are written to the spool (<c>content/tmp</c>, the same disk) and become visible only by an atomic rename
/// after verification (rules 1 and 2), so a file at a digest's path always holds exactly that digest's bytes.
/// </summary>
internal sealed class FileSystemContentStore(ContentSpool spool) : IContentStore
{
    private readonly string _root = Path.GetDirectoryName(spool.Directory)!;

    public FileSystemContentStore(string dataDirectory, long minFreeBytes = 0, TimeProvider? time = null)
        : this(new ContentSpool(dataDirectory, minFreeBytes, time))
    {
    }

    public string PathFor(Digest digest) => Path.Combine(_root, ContentLayout.PathInFolder(digest));

    public bool Exists(Digest digest) => File.Exists(PathFor(digest));

    /// <summary>An open file either way: opening is cheap, and the handle keeps an unlinked file readable.</summary>
    public Task<IStoredBlob?> TryOpenAsync(Digest digest, bool forReading, CancellationToken cancellationToken) =>
        Task.FromResult<IStoredBlob?>(TryOpenRead(digest) is { } handle ? new FileBlob(handle) : null);

    /// <summary>
    /// Opens committed content for reading, or null when it is not stored. Once open, it stays readable even if garbage
    /// collection or eviction unlinks the file meanwhile.
    /// </summary>
    public SafeFileHandle? TryOpenRead(Digest digest)
    {
        try
        {
            return ContentSpool.OpenShared(PathFor(digest));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (IOException e) when (StorageUnavailableException.IsOutOfDescriptors(e))
        {
            throw StorageUnavailableException.OfLocalFile(e);
        }
    }

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
        catch (IOException e) when (StorageUnavailableException.IsOutOfDescriptors(e))
        {
            throw StorageUnavailableException.OfLocalFile(e);
        }
    }

    public Task<bool> TouchAsync(Digest digest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            File.SetLastWriteTimeUtc(PathFor(digest), now.UtcDateTime);
            return Task.FromResult(true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return Task.FromResult(false);
        }
    }

    /// <summary>Readers that hold the file open keep reading it (POSIX unlink semantics).</summary>
    public Task DeleteAsync(Digest digest, CancellationToken cancellationToken)
    {
        File.Delete(PathFor(digest));
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<StoredContent> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var algorithm in ContentLayout.Algorithms)
        {
            var directory = new DirectoryInfo(Path.Combine(_root, algorithm));
            if (!directory.Exists)
            {
                continue;
            }

            foreach (var file in directory.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Digest.TryParse($"{algorithm}:{file.Name}", out var digest, out _) && file.Exists)
                {
                    yield return new StoredContent(digest, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
                }
            }
        }

        await Task.CompletedTask;
    }

    public IContentUpload BeginUpload(Digest digest, TempContentFile temp, long? length) => new RenameOnCommit(this, digest, temp);

    public async Task PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (digest.ComputeSameAlgorithm(content.Span) != digest)
        {
            throw new InvalidOperationException($"content does not match {digest}");
        }

        spool.EnsureRoomFor(content.Length);
        TempContentFile? temp = null;
        try
        {
            temp = spool.CreateTemp(digest);
            await temp.WriteAsync(content, cancellationToken);
            Commit(temp, digest);
        }
        catch (Exception e)
        {
            temp?.Discard();
            if (spool.Classify(e) is StorageFullException full)
            {
                throw full;
            }

            throw;
        }
    }

    public bool Redirects => false;

    public Uri? RedirectFor(Digest digest) => null;

    /// <summary>Nothing to do: a download in progress is only a spool file, removed at start when abandoned.</summary>
    public Task<int> AbortAbandonedUploadsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken) => Task.FromResult(0);

    /// <summary>Writable, not just present: the content shares the spool's disk.</summary>
    public Task CheckWritableAsync(CancellationToken cancellationToken) => spool.ProbeAsync(cancellationToken);

    /// <summary>
    /// Makes verified temp content visible under its digest. Renaming over an existing file is safe: both hold
    /// the same verified bytes, and readers of the old inode keep reading it.
    /// </summary>
    private void Commit(TempContentFile temp, Digest digest)
    {
        try
        {
            temp.Stream.Flush(flushToDisk: true);
            temp.Stream.Dispose();
            var target = PathFor(digest);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temp.Path, target, overwrite: true);
        }
        catch (Exception e) when (StorageUnavailableException.IsLocalWriteFailure(e))
        {
            throw StorageUnavailableException.OfLocalFile(e);
        }
    }

    /// <summary>The temp file already holds everything: committing is an fsync and a rename.</summary>
    private sealed class RenameOnCommit(FileSystemContentStore store, Digest digest, TempContentFile temp) : IContentUpload
    {
        public void ReportWritten(long written)
        {
        }

        public Task CommitAsync(long length, CancellationToken cancellationToken)
        {
            store.Commit(temp, digest);
            return Task.CompletedTask;
        }

        public Task AbortAsync()
        {
            temp.Discard();
            return Task.CompletedTask;
        }
    }
}
