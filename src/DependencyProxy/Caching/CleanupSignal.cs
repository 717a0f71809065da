namespace DependencyProxy.Caching;

/// <summary>Wakes the cleaner early: after a purge is requested, or when new content may have passed the quota.</summary>
internal sealed class CleanupSignal : Common.WakeSignal
{
    public void Request() => Wake();
}
