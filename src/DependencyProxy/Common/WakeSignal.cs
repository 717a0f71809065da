namespace DependencyProxy.Common;

/// <summary>
/// Wakes a background loop early (a cleaner, a delivery worker) instead of at its next poll. A wake with nobody waiting
/// is kept for the next wait; several wakes before that are one: one run covers every wake made before it starts.
/// </summary>
internal abstract class WakeSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken and not yet taken: one wake-up covers both.
        }
    }

    /// <summary>Waits for a wake or the timeout, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}
