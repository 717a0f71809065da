namespace DependencyProxy.Warming;

/// <summary>Wakes this node's warm-up worker at once when a job is queued or cancelled here, or an image ends, instead of at its next poll.</summary>
internal sealed class WarmSignal : Common.WakeSignal;
