using DependencyProxy.Data;
using DependencyProxy.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Webhooks;

/// <summary>
/// In a cluster one node at a time delivers a hook: it claims the hook's row (<see cref="WebHook.ClaimedBy"/>) for
/// longer than one attempt can take and renews the claim between deliveries; a claim of a node that died runs out.
/// </summary>
internal sealed partial class HookClaims(
    IDbContextFactory<ProxyDbContext> databases,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<HookClaims> logger)
{
    /// <summary>This process, as a claim owner.</summary>
    private readonly string _node = $"{Guid.NewGuid():N}/{Environment.MachineName}" is var owner && owner.Length > 128 ? owner[..128] : owner;

    /// <summary>Takes or renews this node's claim on the hook; false when another node holds it.</summary>
    public async Task<bool> ClaimAsync(long hookId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = now + options.Value.Timeout * 2 + TimeSpan.FromSeconds(30);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.WebHooks
            .Where(h => h.Id == hookId && (h.ClaimedBy == null || h.ClaimedBy == _node || h.ClaimedUntil < now))
            .ExecuteUpdateAsync(set => set.SetProperty(h => h.ClaimedBy, _node).SetProperty(h => h.ClaimedUntil, until), cancellationToken) == 1;
    }

    /// <summary>Lets the hook go, so another node need not wait for the claim to run out; a failure here is harmless.</summary>
    public async Task ReleaseAsync(long hookId)
    {
        try
        {
            await using var db = await databases.CreateDbContextAsync();
            await db.WebHooks.Where(h => h.Id == hookId && h.ClaimedBy == _node)
                .ExecuteUpdateAsync(set => set.SetProperty(h => h.ClaimedBy, (string?)null).SetProperty(h => h.ClaimedUntil, (DateTime?)null));
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            // The claim runs out by itself.
            LogReleaseFailed(e);
        }
    }

    [LoggerMessage(EventId = LogEvents.WebhookWorkerFailed, Level = LogLevel.Warning, Message = "Webhook deliveries: a hook's claim was not released; it runs out by itself")]
    private partial void LogReleaseFailed(Exception exception);
}
