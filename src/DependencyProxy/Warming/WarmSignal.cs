namespace DependencyProxy.Warming;

/// <summary>Wakes this node's warm-up worker at once when a job is queued here, instead of at its next poll.</summary>
internal sealed class WarmSignal
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
            // Already requested: one look at the queue covers every job queued before it.
        }
    }

    /// <summary>Waits for a request or the timeout, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}
