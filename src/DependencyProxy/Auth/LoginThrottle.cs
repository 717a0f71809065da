using System.Net;
using System.Net.Sockets;
using DependencyProxy.Common;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Auth;

/// <summary>
/// Slows password guessing without handing strangers a way to lock people out. Failures are counted per client
/// address and per client address and username, never per username alone: ten wrong passwords for alice from one
/// address refuse further passwords for alice from that address (and, past the address limit, any password from it),
/// while alice's correct password from an address with no failures, and any valid token from anywhere, still work.
/// Callers check tokens before asking (a token is 192 random bits: throttling successes would only help attackers
/// lock others out); passwords ask first, so a blocked address learns nothing from its next guess.
/// Per process, in memory, bounded: at most <see cref="MaxTrackedKeys"/> counters (the least recently used go first),
/// each forgotten a window after its last use.
/// </summary>
internal sealed class LoginThrottle(TimeProvider time, IOptions<AuthOptions> options)
{
    internal const int MaxTrackedKeys = 100_000;

    private readonly ExpiringLruCache<FailureCounter> _counters = new(time, MaxTrackedKeys);
    private readonly Lock _gate = new();

    /// <summary>
    /// Reserves one password attempt for this address and username: false (refuse with 429) when either counter is
    /// at the limit. The attempt counts as a failure until <see cref="Succeeded"/> says otherwise, so a burst of
    /// parallel guesses cannot slip past the limit before the first failure is recorded.
    /// </summary>
    public bool TryBeginPasswordAttempt(IPAddress? address, string username)
    {
        var perAddress = Counter(AddressKey(address));
        if (!perAddress.TryIncrement(Limit, Now, Window))
        {
            return false;
        }

        if (!Counter(PairKey(address, username)).TryIncrement(Limit, Now, Window))
        {
            perAddress.Decrement();
            return false;
        }

        return true;
    }

    /// <summary>A password attempt begun with <see cref="TryBeginPasswordAttempt"/> was right: it is not a failure.</summary>
    public void Succeeded(IPAddress? address, string username)
    {
        Counter(AddressKey(address)).Decrement();
        Counter(PairKey(address, username)).Decrement();
    }

    /// <summary>Counts a failed token or malformed login; true when the address is now over its limit (answer 429).</summary>
    public bool RecordFailure(IPAddress? address, string? username)
    {
        var blocked = !Counter(AddressKey(address)).TryIncrement(Limit, Now, Window);
        if (username is not null)
        {
            blocked |= !Counter(PairKey(address, username)).TryIncrement(Limit, Now, Window);
        }

        return blocked;
    }

    /// <summary>How many counters are held now (at most <see cref="MaxTrackedKeys"/>; the least recently used go first).</summary>
    internal int TrackedKeys => _counters.Count;

    private int Limit => options.Value.MaxFailedLogins;

    private TimeSpan Window => options.Value.FailedLoginWindow;

    /// <summary>
    /// A refusal's Retry-After, in seconds: the whole window, since no counter that blocks now blocks longer than that
    /// after its last failure.
    /// </summary>
    public string RetryAfterSeconds => ((long)Math.Ceiling(Window.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The counter for a key; each use keeps it a window longer (its own window start decides blocking).</summary>
    private FailureCounter Counter(string key)
    {
        lock (_gate)
        {
            if (!_counters.TryGet(key, out var counter))
            {
                counter = new FailureCounter();
            }

            _counters.Set(key, counter, Now + Window);
            return counter;
        }
    }

    /// <summary>An IPv6 client is counted by its /64: one subscriber holds a whole /64 and could rotate through it.</summary>
    private static string AddressKey(IPAddress? address) => $"a:{Normalize(address)}";

    private static string PairKey(IPAddress? address, string username) => $"u:{Normalize(address)}|{username.ToLowerInvariant()}";

    private static string Normalize(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    /// <summary>Failures in the current window; a new window starts with the first failure after the last one ended.</summary>
    private sealed class FailureCounter
    {
        private readonly Lock _gate = new();
        private int _failures;
        private DateTimeOffset _windowStart;

        public bool TryIncrement(int limit, DateTimeOffset now, TimeSpan window)
        {
            lock (_gate)
            {
                if (now - _windowStart > window)
                {
                    _failures = 0;
                    _windowStart = now;
                }

                if (_failures >= limit)
                {
                    return false;
                }

                _failures++;
                return true;
            }
        }

        public void Decrement()
        {
            lock (_gate)
            {
                _failures = Math.Max(0, _failures - 1);
            }
        }
    }
}
