using System.Collections.Concurrent;
using DependencyProxy.Caching;

namespace DependencyProxy.Upstream;

/// <summary>A bearer token from an upstream realm and how long it lives.</summary>
public sealed record UpstreamToken(string Value, TimeSpan ExpiresIn);

/// <summary>
/// Upstream bearer tokens, cached per realm, service and scope until shortly before they expire, so a pull
/// does not fetch a token per request. Also remembers each registry's challenge, so later requests can send a
/// token up front instead of taking a 401 first. Concurrent fetches of the same token are coalesced.
/// </summary>
public sealed class UpstreamTokenCache(TimeProvider time)
{
    /// <summary>Docker's token spec: a token without expires_in lives 60 seconds.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RenewAt)> _tokens = new();
    private readonly ConcurrentDictionary<string, BearerChallenge> _challenges = new();
    private readonly SingleFlight<string, UpstreamToken> _fetches = new();

    public BearerChallenge? KnownChallenge(string registry) => _challenges.GetValueOrDefault(registry);

    public void RememberChallenge(string registry, BearerChallenge challenge) => _challenges[registry] = challenge;

    /// <summary>A cached token that is still fresh, or null.</summary>
    public string? TryGetCached(BearerChallenge challenge, string scope) =>
        _tokens.TryGetValue(Key(challenge, scope), out var entry) && time.GetUtcNow() < entry.RenewAt ? entry.Token : null;

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
        _tokens[key] = (token.Value, time.GetUtcNow() + RenewAfter(token.ExpiresIn));
        return token.Value;
    }

    /// <summary>Forgets a token the upstream refused, so the next call fetches a new one.</summary>
    public void Invalidate(BearerChallenge challenge, string scope) => _tokens.TryRemove(Key(challenge, scope), out _);

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
