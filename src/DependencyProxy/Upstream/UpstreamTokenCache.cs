using System.Collections.Concurrent;
using DependencyProxy.Caching;
using DependencyProxy.Common;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Upstream;

/// <summary>A bearer token from an upstream realm and how long it lives.</summary>
internal sealed record UpstreamToken(string Value, TimeSpan ExpiresIn);

/// <summary>
/// Upstream bearer tokens, cached per realm, service and scope until shortly before they expire, so a pull
/// does not fetch a token per request. Also remembers each registry's challenge, so later requests can send a
/// token up front instead of taking a 401 first. Concurrent fetches of the same token are coalesced.
/// </summary>
/// <remarks>
/// Scopes are per repository, and anyone may ask a public group for any name, so the tokens are bounded
/// (<c>Upstream:MaxCachedTokens</c>, least recently used first) and expired ones are dropped: memory follows the
/// repositories in use, not every name ever asked for. Challenges are per configured registry, so they need no bound.
/// </remarks>
internal sealed class UpstreamTokenCache
{
    /// <summary>Docker's token spec: a token without expires_in lives 60 seconds.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    private readonly TimeProvider _time;
    private readonly ExpiringLruCache<string> _tokens;
    private readonly ConcurrentDictionary<string, BearerChallenge> _challenges = new();
    private readonly SingleFlight<string, UpstreamToken> _fetches = new();

    public UpstreamTokenCache(TimeProvider time, IOptions<UpstreamTimeoutOptions> options, Observability.ProxyMetrics metrics)
    {
        _time = time;
        _tokens = new ExpiringLruCache<string>(time, options.Value.MaxCachedTokens);
        metrics.TrackUpstreamTokens(() => Count);
    }

    /// <summary>Tokens held now that have not expired.</summary>
    public int Count => _tokens.Count;

    public BearerChallenge? KnownChallenge(string registry) => _challenges.GetValueOrDefault(registry);

    public void RememberChallenge(string registry, BearerChallenge challenge) => _challenges[registry] = challenge;

    /// <summary>A cached token that is still fresh, or null.</summary>
    public string? TryGetCached(BearerChallenge challenge, string scope) =>
        _tokens.TryGet(Key(challenge, scope), out var token) ? token : null;

    /// <summary>Returns a fresh cached token, or fetches one (once, however many callers ask at the same time).</summary>
    public async Task<string> GetAsync(
        BearerChallenge challenge, string scope, Func<Task<UpstreamToken>> fetch, CancellationToken cancellationToken)
    {
        if (TryGetCached(challenge, scope) is { } cached)
        {
            return cached;
        }

        var key = Key(challenge, scope);
        var token = await _fetches.RunAsync(key, fetch, cancellationToken);
        _tokens.Set(key, token.Value, _time.GetUtcNow() + RenewAfter(token.ExpiresIn));
        return token.Value;
    }

    /// <summary>Forgets a token the upstream refused, so the next call fetches a new one.</summary>
    public void Invalidate(BearerChallenge challenge, string scope) => _tokens.Remove(Key(challenge, scope));

    /// <summary>Renew a little early: a tenth of the lifetime, at most 30 seconds, so a token never expires in flight.</summary>
    internal static TimeSpan RenewAfter(TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            lifetime = DefaultLifetime;
        }

        var margin = TimeSpan.FromTicks(Math.Min(lifetime.Ticks / 10, TimeSpan.FromSeconds(30).Ticks));
        return lifetime - margin;
    }

    private static string Key(BearerChallenge challenge, string scope) => $"{challenge.Realm}|{challenge.Service}|{scope}";
}
