using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.CiIdentity;

/// <summary>
/// The signing keys of the configured issuers, cached per issuer. Fetched on first use; fetched again when they are
/// older than <see cref="RefreshAfter"/>, or when a token names a key id the cache lacks (the issuer rotated its keys),
/// but never more than once per <see cref="MinRefreshInterval"/> per issuer, so a flood of tokens with made-up key ids
/// costs the issuer one request. Concurrent callers share one fetch. When a fetch fails, the keys already held go on
/// working for up to <see cref="MaxStaleness"/> after the last good fetch: an issuer that is down does not stop CI jobs.
/// </summary>
internal sealed partial class CiIssuerKeys(CiIssuerDocuments documents, TimeProvider time, ILogger<CiIssuerKeys> logger)
{
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromHours(1);

    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan MaxStaleness = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<string, IssuerState> _states = new(StringComparer.Ordinal);

    /// <summary>
    /// The keys to check a token of <paramref name="issuer"/> with: those with key id <paramref name="kid"/> when it is
    /// given, else all of them. Empty when none is known (the token is then refused).
    /// </summary>
    public async Task<IReadOnlyList<SecurityKey>> GetAsync(CiIssuerOptions issuer, string? kid, CancellationToken cancellationToken)
    {
        var state = _states.GetOrAdd(issuer.Url, _ => new IssuerState());
        var now = time.GetUtcNow();
        var held = state.Held;
        var stale = held is null || now - held.FetchedAt >= RefreshAfter;
        if (stale || Select(held, kid).Count == 0)
        {
            Task? refresh = null;
            lock (state)
            {
                if (state.Refresh is null && now - state.LastAttempt >= MinRefreshInterval)
                {
                    state.LastAttempt = now;
                    state.Refresh = RefreshAsync(issuer, state);
                }

                refresh = state.Refresh;
            }

            // Keys held for this kid are used at once, the refresh goes on behind: a slow or absent issuer delays no login.
            if (refresh is not null && Select(held, kid).Count == 0)
            {
                await refresh.WaitAsync(cancellationToken);
            }
        }

        return state.Held is { } last && time.GetUtcNow() - last.FetchedAt < MaxStaleness ? Select(last, kid) : [];
    }

    /// <summary>
    /// The log's reason for a failed fetch. No caller's cancellation reaches the fetch, so a cancellation is its own time
    /// limit (or HttpClient's): said so, with the limit, not "The operation was canceled."
    /// </summary>
    internal static string FailureReason(Exception e) => e switch
    {
        CiIssuerException => e.Message,
        OperationCanceledException => $"timed out: the discovery document and key set must arrive within {CiIssuerDocuments.DefaultTimeout.TotalSeconds:0} s",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static IReadOnlyList<SecurityKey> Select(KeySet? held, string? kid) =>
        held is null ? [] : kid is null ? held.Keys : held.Keys.Where(k => string.Equals(k.KeyId, kid, StringComparison.Ordinal)).ToList();

    /// <summary>One fetch, not tied to any caller's cancellation (the others wait on it); failures are logged, never thrown.</summary>
    private async Task RefreshAsync(CiIssuerOptions issuer, IssuerState state)
    {
        try
        {
            await Task.Yield();
            var keys = await documents.FetchKeysAsync(issuer, CancellationToken.None);
            state.Held = new KeySet(keys, time.GetUtcNow());
            LogKeysFetched(issuer.Url, keys.Count);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything unexpected too: the callers waiting on this fetch get the keys held, never an exception.
            LogKeysNotFetched(issuer.Url, FailureReason(e));
        }
        finally
        {
            lock (state)
            {
                state.Refresh = null;
            }
        }
    }

    /// <summary>The keys of one good fetch and when it was: replaced whole, so a reader never sees half of an update.</summary>
    private sealed record KeySet(IReadOnlyList<SecurityKey> Keys, DateTimeOffset FetchedAt);

    /// <summary>One issuer's keys; <see cref="LastAttempt"/> and <see cref="Refresh"/> are read and written under its lock.</summary>
    private sealed class IssuerState
    {
        public volatile KeySet? Held;

        public DateTimeOffset LastAttempt = DateTimeOffset.MinValue;

        public Task? Refresh;
    }

    [LoggerMessage(EventId = LogEvents.CiIssuerKeysFetched, Level = LogLevel.Information,
        Message = "Fetched {Count} signing keys of CI token issuer {Issuer}")]
    private partial void LogKeysFetched(string issuer, int count);

    [LoggerMessage(EventId = LogEvents.CiIssuerKeysNotFetched, Level = LogLevel.Warning,
        Message = "Could not fetch the signing keys of CI token issuer {Issuer}; cached keys, if any, stay in use: {Reason}")]
    private partial void LogKeysNotFetched(string issuer, string reason);
}
