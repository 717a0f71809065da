namespace DependencyProxy.Upstream;

/// <summary>
/// An account at an upstream registry, used only to ask its token endpoint for a token (or, for a registry with plain
/// Basic auth, sent to it). A group's own account is known by its identity at first: its secret is read and decrypted
/// only when an upstream request needs it (<see cref="ResolveAsync"/>), so a cache hit never touches it.
/// </summary>
internal sealed class UpstreamCredentials
{
    private readonly Func<CancellationToken, Task<string?>> _loadSecret;
    private readonly UpstreamCredentials? _fallback;
    private Task<string?>? _secret;

    public UpstreamCredentials(string identity, string secret)
        : this(identity, _ => Task.FromResult<string?>(secret))
    {
    }

    /// <param name="identity">The account's name: it keys shared fills and upstream tokens, so it is known up front.</param>
    /// <param name="loadSecret">Reads the secret when first needed; null when it is gone (removed meanwhile, or the keys were lost).</param>
    /// <param name="fallback">The account used when the secret is gone: the one configured for the registry, if any.</param>
    /// <param name="owner">Whose account it is, when the same name may be two accounts (a virtual registry upstream's id): it
    /// joins <see cref="CacheIdentity"/>, so tokens and fills are never shared with another owner of the same name.</param>
    public UpstreamCredentials(string identity, Func<CancellationToken, Task<string?>> loadSecret, UpstreamCredentials? fallback = null,
        string? owner = null)
    {
        Identity = identity;
        CacheIdentity = owner is null ? identity : $"{owner}|{identity}";
        _loadSecret = loadSecret;
        _fallback = fallback;
    }

    /// <summary>The account's name, as sent to the upstream.</summary>
    public string Identity { get; }

    /// <summary>What keys upstream tokens and shared fetches made with this account: its owner (if named) and name.</summary>
    public string CacheIdentity { get; }

    /// <summary>The identity and secret to send, loaded once per instance; null when neither this account nor the fallback has a secret.</summary>
    public async Task<(string Identity, string Secret)?> ResolveAsync(CancellationToken cancellationToken)
    {
        // Loaded once for every caller of this instance, so no one caller's cancellation ends it for the others.
        var secret = await (_secret ??= _loadSecret(CancellationToken.None)).WaitAsync(cancellationToken);
        if (secret is not null)
        {
            return (Identity, secret);
        }

        return _fallback is null ? null : await _fallback.ResolveAsync(cancellationToken);
    }

    /// <summary>Never the secret: credentials end up in log scopes and exception messages by accident.</summary>
    public override string ToString() => $"{Identity}:***";
}
