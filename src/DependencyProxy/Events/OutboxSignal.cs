namespace DependencyProxy.Events;

/// <summary>
/// Tells whoever delivers the outbox (on this node) that there is new work, so a delivery need not wait for the next
/// poll. A pulse with nobody waiting is kept for the next wait; several pulses are one.
/// </summary>
internal sealed class OutboxSignal
{
    private readonly SemaphoreSlim _pulse = new(0, 1);

    public void Pulse()
    {
        try
        {
            _pulse.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already pulsed and not yet taken: one wake-up covers both.
        }
    }

    /// <summary>Waits for a pulse or <paramref name="timeout"/>, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _pulse.WaitAsync(timeout, cancellationToken);
}
