namespace DependencyProxy.Data;

/// <summary>
/// Who does a piece of work that only one node of a cluster may do at a time: an upstream download of one blob
/// (<c>fill:…</c>) or a background job (<c>job:…</c>). Held until <see cref="ExpiresAt"/> and renewed by its owner while it
/// works, so the work of a node that died is taken over once its lease runs out.
/// </summary>
internal sealed class Lease
{
    public string Name { get; set; } = "";

    /// <summary>The owning node's internal URL: where other nodes read a download in progress.</summary>
    public string Owner { get; set; } = "";

    public DateTime ExpiresAt { get; set; }
}
