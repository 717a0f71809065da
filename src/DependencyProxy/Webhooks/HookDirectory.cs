using DependencyProxy.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Webhooks;

/// <summary>
/// The hooks of groups and of the instance (<c>groupId</c> null): listed, added, changed and removed by owners and
/// administrators. The token is encrypted with the data-protection keys (like upstream passwords), decrypted only to sign.
/// </summary>
internal sealed class HookDirectory(IDbContextFactory<ProxyDbContext> databases, IDataProtectionProvider protection, HookUrls urls, TimeProvider time)
{
    public const string TokenPurpose = "DependencyProxy.Webhooks.Token";

    private readonly SemaphoreSlim _adding = new(1, 1);

    /// <summary>A group, or the instance, holds at most this many hooks: every event reads them all.</summary>
    public const int MaxPerOwner = 20;

    private readonly IDataProtector _tokens = protection.CreateProtector(TokenPurpose);

    public async Task<(IReadOnlyList<WebHook> Page, int Total)> ListAsync(long? groupId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var hooks = db.WebHooks.AsNoTracking().Where(h => h.GroupId == groupId);
        return (await hooks.OrderBy(h => h.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken), await hooks.CountAsync(cancellationToken));
    }

    public async Task<WebHook?> FindAsync(long? groupId, long hookId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.WebHooks.AsNoTracking().FirstOrDefaultAsync(h => h.GroupId == groupId && h.Id == hookId, cancellationToken);
    }

    /// <summary>Adds a hook; a URL that may not be reached (SSRF rules), a field too long or a full owner is refused.</summary>
    public async Task<(WebHook? Hook, Refusal? Refusal)> CreateAsync(long? groupId, HookInput input, CancellationToken cancellationToken)
    {
        if (await ProblemAsync(input, creating: true, cancellationToken) is { } problem)
        {
            return (null, Refusal.Invalid(problem));
        }

        // Counted and added one request at a time on this node, so parallel requests cannot all slip under the limit (nodes of
        // a cluster could each add one past it: owners and administrators only, so that is left as it is).
        await _adding.WaitAsync(cancellationToken);
        try
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            if (await db.WebHooks.CountAsync(h => h.GroupId == groupId, cancellationToken) >= MaxPerOwner)
            {
                return (null, Refusal.Invalid($"at most {MaxPerOwner} hooks are allowed here: remove one first"));
            }

            var hook = new WebHook { GroupId = groupId, Url = input.Url!, CreatedAt = time.GetUtcNow().UtcDateTime };
            Apply(hook, input with { AllEvents = input.AllEvents ?? !AnyTypeGiven(input) });
            db.WebHooks.Add(hook);
            await db.SaveChangesAsync(cancellationToken);
            return (hook, null);
        }
        finally
        {
            _adding.Release();
        }
    }

    /// <summary>Changes the given fields of a hook; a not-found hook is a NotFound refusal.</summary>
    public async Task<(WebHook? Hook, Refusal? Refusal)> UpdateAsync(long? groupId, long hookId, HookInput input, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var hook = await db.WebHooks.FirstOrDefaultAsync(h => h.GroupId == groupId && h.Id == hookId, cancellationToken);
        if (hook is null)
        {
            return (null, new Refusal(RefusalKind.NotFound, "Hook"));
        }

        if (await ProblemAsync(input, creating: false, cancellationToken) is { } problem)
        {
            return (null, Refusal.Invalid(problem));
        }

        Apply(hook, input);
        await db.SaveChangesAsync(cancellationToken);
        return (hook, null);
    }

    public async Task<bool> DeleteAsync(long? groupId, long hookId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.WebHooks.Where(h => h.GroupId == groupId && h.Id == hookId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>The hook's signing token, decrypted; null when it has none or the keys that encrypted it are gone.</summary>
    public string? TokenOf(WebHook hook)
    {
        if (hook.ProtectedToken is null)
        {
            return null;
        }

        try
        {
            return _tokens.Unprotect(hook.ProtectedToken);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private async Task<string?> ProblemAsync(HookInput input, bool creating, CancellationToken cancellationToken)
    {
        var text = FieldLimits.Check("name", input.Name, FieldLimits.Name)
            ?? FieldLimits.Check("description", input.Description, FieldLimits.VirtualRegistryDescription)
            ?? FieldLimits.Check("token", input.Token, FieldLimits.Other)
            ?? (input.Token?.Any(char.IsControl) == true ? "token must not contain control characters" : null)
            ?? (input.Name?.Any(char.IsControl) == true ? "name must not contain control characters" : null);
        if (text is not null)
        {
            return text;
        }

        return creating || input.Url is not null ? await urls.ProblemAsync(input.Url, cancellationToken) : null;
    }

    /// <summary>Whether the caller said anything about a type: only a hook created with no flag at all gets every type.</summary>
    private static bool AnyTypeGiven(HookInput input) =>
        new[] { input.ImageCachedEvents, input.TagChangedEvents, input.ServedStaleEvents, input.UpstreamEvents, input.RateLimitEvents,
            input.PurgeEvents, input.CleanupEvents, input.WarmupEvents }.Any(flag => flag is not null);

    private void Apply(WebHook hook, HookInput input)
    {
        hook.Url = input.Url ?? hook.Url;
        hook.Name = input.Name?.Trim() ?? hook.Name;
        hook.Description = input.Description ?? hook.Description;
        if (input.Token is not null)
        {
            hook.ProtectedToken = input.Token.Length == 0 ? null : _tokens.Protect(input.Token);
        }

        hook.EnableSslVerification = input.EnableSslVerification ?? hook.EnableSslVerification;
        hook.AllEvents = input.AllEvents ?? hook.AllEvents;
        hook.ImageCachedEvents = input.ImageCachedEvents ?? hook.ImageCachedEvents;
        hook.TagChangedEvents = input.TagChangedEvents ?? hook.TagChangedEvents;
        hook.ServedStaleEvents = input.ServedStaleEvents ?? hook.ServedStaleEvents;
        hook.UpstreamEvents = input.UpstreamEvents ?? hook.UpstreamEvents;
        hook.RateLimitEvents = input.RateLimitEvents ?? hook.RateLimitEvents;
        hook.PurgeEvents = input.PurgeEvents ?? hook.PurgeEvents;
        hook.CleanupEvents = input.CleanupEvents ?? hook.CleanupEvents;
        hook.WarmupEvents = input.WarmupEvents ?? hook.WarmupEvents;
    }
}
