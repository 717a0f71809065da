namespace DependencyProxy.Events;

/// <summary>Tells whoever delivers the outbox on this node that there is new work, so a delivery need not wait for the next poll.</summary>
internal sealed class OutboxSignal : Common.WakeSignal;
