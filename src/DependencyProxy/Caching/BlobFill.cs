using DependencyProxy.Oci;
using DependencyProxy.Registry;

namespace DependencyProxy.Caching;

/// <summary>
/// One upstream download of a blob into a temp file, shared by every request that wants it (rule 3).
/// Readers follow the growing file through <see cref="Written"/> and <see cref="WaitForProgressAsync"/>;
/// the file becomes content only after its digest is verified.
/// </summary>
internal sealed class BlobFill(Digest digest)
{
    private readonly object _gate = new();
    private readonly TaskCompletionSource<long?> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _verified = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<CacheScope> _groups = [];
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;
    private bool _groupsClosed;

    public Digest Digest { get; } = digest;

    /// <summary>The temp file being written; valid once <see cref="Started"/> has completed.</summary>
    public string TempPath { get; private set; } = "";

    /// <summary>Completes with the upstream Content-Length (null when unknown) once bytes start to flow; faults when the fetch fails first.</summary>
    public Task<long?> Started => _started.Task;

    /// <summary>
    /// Completes when every byte is written and matches the digest: readers may then send the last byte. Faults when
    /// the download failed or the content did not match.
    /// </summary>
    public Task Verified => _verified.Task;

    /// <summary>Completes when the verified blob is also durable, renamed into the store and linked; faults when it was not.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Bytes written to the temp file so far; readers may read up to here.</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>
    /// Returns a task that completes at the next progress or at completion. Take it before reading
    /// <see cref="Written"/>: a write that lands in between then still wakes the reader.
    /// </summary>
    public Task WaitForProgressAsync() => Volatile.Read(ref _progress).Task;

    /// <summary>Asks the fill to link this group when it commits; false once linking has begun (the caller links itself).</summary>
    public bool TryAddGroup(CacheScope groupId)
    {
        lock (_gate)
        {
            if (_groupsClosed)
            {
                return false;
            }

            _groups.Add(groupId);
            return true;
        }
    }

    internal CacheScope[] CloseGroups()
    {
        lock (_gate)
        {
            _groupsClosed = true;
            return [.. _groups];
        }
    }

    internal void ReportStarted(string tempPath, long? length)
    {
        TempPath = tempPath;
        _started.TrySetResult(length);
    }

    internal void ReportProgress(long written)
    {
        Volatile.Write(ref _written, written);
        Signal();
    }

    internal void ReportVerified()
    {
        _verified.TrySetResult();
        Signal();
    }

    internal void ReportCommitted() => _completion.TrySetResult();

    internal void ReportFailed(Exception failure)
    {
        _started.TrySetException(failure);
        _verified.TrySetException(failure);
        _completion.TrySetException(failure);
        // Observe the faults so an unwatched failure does not surface as an unobserved task exception.
        _ = _started.Task.Exception;
        _ = _verified.Task.Exception;
        _ = _completion.Task.Exception;
        Signal();
    }

    private void Signal()
    {
        var previous = Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}
