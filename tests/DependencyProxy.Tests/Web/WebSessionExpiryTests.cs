using System.Net;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Web;

/// <summary>
/// A browser session lasts 8 hours from the last request (sliding), then asks for sign-in again. The session is the
/// cookie handler's alone (Web/WebInterface): nothing of it is in the database or the store, so it runs once, on SQLite.
/// </summary>
[Trait("Variant", "SqliteOnly")]
public sealed class WebSessionExpiryTests : ProxyTestBase
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? Time => _clock;

    [Fact]
    public async Task ASessionSlidesWithUse_AndEndsAfterEightIdleHours()
    {
        await Api.CreateUserWithTokenAsync("alice");
        using var browser = new WebClient(Proxy);
        (await browser.SignInAsync("alice")).Dispose();

        // Used every 5 hours, it stays open past 8 hours in all...
        _clock.Advance(TimeSpan.FromHours(5));
        await browser.GetPageAsync("/groups");
        _clock.Advance(TimeSpan.FromHours(5));
        await browser.GetPageAsync("/groups");

        // ...and 8 idle hours end it.
        _clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));
        using var expired = await browser.GetAsync("/groups");
        Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
        Assert.StartsWith("/users/sign_in", expired.Headers.Location!.OriginalString);
    }
}
