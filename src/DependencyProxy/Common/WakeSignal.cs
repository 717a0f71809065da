namespace DependencyProxy.Common;

/// <summary>
/// Wakes a background worker early instead of at its next interval. Requests made before the worker looks are one wake:
/// one look covers them all. Each worker has its own subclass, so that each is its own service.
/// </summary>
internal abstract class WakeSignal
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
