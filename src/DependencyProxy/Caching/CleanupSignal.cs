namespace DependencyProxy.Caching;

/// <summary>Wakes the cleaner early: after a purge is requested, or when new content may have passed the quota.</summary>
internal sealed class CleanupSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Request()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already requested: one run covers every request made before it starts.
        }
    }

    /// <summary>Waits for a request or the timeout, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}
