using System.Net;
using DependencyProxy.Auth;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Auth;

/// <summary>The throttle's counting rules, on their own: windows, IPv6 prefixes, successes, and a bounded memory.</summary>
public sealed class LoginThrottleTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-06T10:00:00Z"));

    private LoginThrottle NewThrottle(int limit = 3) => new(_time, Options.Create(new AuthOptions { MaxFailedLogins = limit, FailedLoginWindow = TimeSpan.FromMinutes(10) }));

    [Fact]
    public void FailuresExpireWithTheirWindow()
    {
        var throttle = NewThrottle();
        var address = IPAddress.Parse("203.0.113.7");
        for (var i = 0; i < 3; i++)
        {
            Assert.True(throttle.TryBeginPasswordAttempt(address, "alice"));
        }

        Assert.False(throttle.TryBeginPasswordAttempt(address, "alice"));
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.True(throttle.TryBeginPasswordAttempt(address, "alice"));
    }

    [Fact]
    public void ASuccessfulPassword_DoesNotCountAsAFailure()
    {
        var throttle = NewThrottle();
        var address = IPAddress.Parse("203.0.113.7");
        for (var i = 0; i < 10; i++)
        {
            Assert.True(throttle.TryBeginPasswordAttempt(address, "alice"));
            throttle.Succeeded(address, "alice");
        }
    }

    [Fact]
    public void AnIPv6Client_CannotEscapeByRotatingThroughItsSlash64()
    {
        var throttle = NewThrottle();
        for (var i = 1; i <= 3; i++)
        {
            Assert.True(throttle.TryBeginPasswordAttempt(IPAddress.Parse($"2001:db8:1:2::{i:x}"), $"user{i}"));
        }

        Assert.False(throttle.TryBeginPasswordAttempt(IPAddress.Parse("2001:db8:1:2:ffff::9"), "user9"));
        Assert.True(throttle.TryBeginPasswordAttempt(IPAddress.Parse("2001:db8:1:3::1"), "user1"));
        // An IPv4 client seen as IPv4-mapped IPv6 is the same client.
        for (var i = 0; i < 3; i++)
        {
            throttle.RecordFailure(IPAddress.Parse("198.51.100.1"), null);
        }

        Assert.False(throttle.TryBeginPasswordAttempt(IPAddress.Parse("::ffff:198.51.100.1"), "x"));
    }

    [Fact]
    public void AFloodOfDistinctNames_KeepsAtMostTheCapInMemory()
    {
        var throttle = NewThrottle(limit: 1_000_000);
        for (var i = 0; i < LoginThrottle.MaxTrackedKeys + 20_000; i++)
        {
            throttle.RecordFailure(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)), $"user-{i}");
        }

        Assert.InRange(throttle.TrackedKeys, 1, LoginThrottle.MaxTrackedKeys);
    }
}
