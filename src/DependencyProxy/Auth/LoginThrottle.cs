using System.Collections.Concurrent;
using DependencyProxy.Configuration;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Auth;

/// <summary>
/// Slows password and token guessing: after too many failed logins from one client address, or for one username,
/// within the window, further attempts are refused until the window has passed. Per process, in memory.
/// </summary>
public sealed class LoginThrottle(TimeProvider time, IOptions<ProxyOptions> options)
{
    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset WindowStart)> _failures = new();

    public bool IsBlocked(string address, string? username) =>
        Exceeded($"ip:{address}") || (username is not null && Exceeded($"user:{username}"));

    public void RecordFailure(string address, string? username)
    {
        Count($"ip:{address}");
        if (username is not null)
        {
            Count($"user:{username}");
        }
    }

    private bool Exceeded(string key) =>
        _failures.TryGetValue(key, out var entry) && !Expired(entry.WindowStart) && entry.Failures >= options.Value.Auth.MaxFailedLogins;

    private void Count(string key) =>
        _failures.AddOrUpdate(key, _ => (1, time.GetUtcNow()),
            (_, entry) => Expired(entry.WindowStart) ? (1, time.GetUtcNow()) : (entry.Failures + 1, entry.WindowStart));

    private bool Expired(DateTimeOffset windowStart) => time.GetUtcNow() - windowStart > options.Value.Auth.FailedLoginWindow;
}
