using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Identity;
using DependencyProxy.SingleSignOn;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DependencyProxy.Tests.SingleSignOn;

/// <summary>
/// Who a provider's validated identity becomes here, and the group sync, on SQLite and PostgreSQL: issuer + sub decide,
/// a username or an e-mail address never takes over an account unless linking is allowed (here it is not), hostile
/// claim values still give a valid username, and the sync changes only what it made.
/// </summary>
public sealed partial class ExternalSignInTests(SingleSignOnServer server) : IClassFixture<SingleSignOnServer>
{
    private const string Issuer = "https://login.example.com/realms/acme";

    private ExternalSignIns SignIns => server.Proxy.Get<ExternalSignIns>();

    private static ProviderIdentity Identity(string subject, string? username, string? email = null, bool verified = true, params string[] groups) =>
        new(Issuer, subject, username, email, verified, null, groups);

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 8)];

    [Fact]
    public async Task TheSameSub_IsTheSameUser_WhateverTheProviderNowCallsThem_AndAnotherIssuersSubIsAnotherUser()
    {
        var sub = Unique("sub-");
        var name = Unique("kim");
        var (first, _) = await SignIns.SignInAsync(Identity(sub, name, $"{name}@corp.example"), CancellationToken.None);
        var (again, _) = await SignIns.SignInAsync(Identity(sub, "someone-else", "other@corp.example"), CancellationToken.None);
        var (elsewhere, _) = await SignIns.SignInAsync(Identity(sub, name) with { Issuer = "https://other.example.com" }, CancellationToken.None);

        Assert.Equal(name, first!.Username);
        Assert.Null(first.PasswordHash);
        Assert.False(first.IsAdmin);
        Assert.Equal(first.Id, again!.Id);
        Assert.Equal(name, again.Username);
        Assert.NotEqual(first.Id, elsewhere!.Id);
        Assert.Equal(name + "1", elsewhere.Username);
    }

    [Fact]
    public async Task AVerifiedEmailDoesNotLink_WhenAnAdministratorDidNotAllowIt_NorIsTheAddressGivenTwice()
    {
        var name = Unique("lee");
        var (localId, _) = await server.Api.CreateUserWithTokenAsync(name);
        var (user, refusal) = await SignIns.SignInAsync(Identity(Unique("sub-"), name, $"{name}@example.com", verified: true), CancellationToken.None);

        Assert.Null(refusal);
        Assert.NotEqual(localId, user!.Id);
        Assert.Equal(name + "1", user.Username);
        Assert.EndsWith("@users.noreply.invalid", user.Email);
        await using var db = await server.Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        Assert.False(await db.ExternalSignIns.AnyAsync(s => s.UserId == localId));
    }

    [Theory]
    [InlineData("root", null, "root")]
    [InlineData("ROOT", null, "ROOT")]
    [InlineData("../../etc/passwd", null, ".._.._etc_passwd")]
    [InlineData("-dash.", null, "dash")]
    [InlineData("Zoë Smith", null, "Zo__Smith")]
    [InlineData("İnfo", null, "_nfo")]
    [InlineData("   ", "mo.x+tag@corp.example", "mo.x_tag")]
    [InlineData(null, "<script>@corp.example", "_script_")]
    public async Task HostileClaimValues_GiveAValidFreeUsername(string? preferred, string? email, string expected)
    {
        var (user, refusal) = await SignIns.SignInAsync(Identity(Unique("sub-"), preferred, email), CancellationToken.None);
        Assert.Null(refusal);
        // Another run of the same case (or another case) may hold the name: it then carries a number.
        Assert.StartsWith(expected, user!.Username);
        Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(expected) + "[0-9]*$", user.Username);
        Assert.NotEqual("root", user.Username.ToLowerInvariant());
    }

    [Theory]
    [InlineData("oidc")]
    [InlineData("OIDC")]
    public async Task TheCiTokensUsername_IsNeverGiven_ThePersonGetsANumber(string preferred)
    {
        // Second outside review, finding 5c: oidc is the CI tokens' login, reserved in any case.
        var (user, refusal) = await SignIns.SignInAsync(Identity(Unique("sub-"), preferred), CancellationToken.None);
        Assert.Null(refusal);
        Assert.Matches("^" + preferred + "[0-9]+$", user!.Username);
    }

    [Fact]
    public async Task AVeryLongName_IsCut_AndNoNameAtAll_IsRefused()
    {
        var (longOne, _) = await SignIns.SignInAsync(Identity(Unique("sub-"), new string('x', 5000), "a@b"), CancellationToken.None);
        Assert.True(longOne!.Username.Length <= FieldLimits.Username);

        var (none, refusal) = await SignIns.SignInAsync(Identity(Unique("sub-"), "///", "not-an-address"), CancellationToken.None);
        Assert.Null(none);
        Assert.Equal(SignInRefusal.NoUsername, refusal);
    }

    [Fact]
    public async Task ABlockedUser_IsRefused()
    {
        var sub = Unique("sub-");
        var (user, _) = await SignIns.SignInAsync(Identity(sub, Unique("bo")), CancellationToken.None);
        await server.Proxy.Get<UserAccounts>().SetBlockedAsync(user!.Id, true, CancellationToken.None);

        var (again, refusal) = await SignIns.SignInAsync(Identity(sub, user.Username), CancellationToken.None);
        Assert.Null(again);
        Assert.Equal(SignInRefusal.Blocked, refusal);
    }

    [Fact]
    public async Task GroupSync_ChangesOnlyWhatItMade_KeepsATopLevelGroupsLastOwner_AndSkipsUnknownGroups()
    {
        var sub = Unique("sub-");
        var (user, _) = await SignIns.SignInAsync(Identity(sub, Unique("syn"), null, true, "devs", "owners", "top-owners", "ghost", "unmapped"), CancellationToken.None);
        var groups = server.Proxy.Get<GroupDirectory>();
        var devs = (await groups.FindAsync("sync/devs", CancellationToken.None))!.Id;
        var top = (await groups.FindAsync("sync/top", CancellationToken.None))!.Id;
        var synctop = (await groups.FindAsync("synctop", CancellationToken.None))!.Id;
        var sync = (await groups.FindAsync("sync", CancellationToken.None))!.Id;
        Assert.Equal(AccessLevels.Developer, await LevelAsync(devs, user!.Id));
        Assert.Equal(AccessLevels.Owner, await LevelAsync(top, user.Id));
        Assert.Equal(AccessLevels.Owner, await LevelAsync(synctop, user.Id));
        // A membership made by hand in a group the map does not name.
        await server.Proxy.Get<GroupMemberships>().AddAsync(sync, user.Id, AccessLevels.Reporter, CancellationToken.None);

        // Out of every mapped group: the synced memberships go, except the last owner of a top-level group (synctop was
        // made without members, so this user is its only owner); the hand-made one stays.
        await SignIns.SignInAsync(Identity(sub, "x"), CancellationToken.None);
        Assert.Null(await LevelAsync(devs, user.Id));
        Assert.Null(await LevelAsync(top, user.Id));
        Assert.Equal(AccessLevels.Reporter, await LevelAsync(sync, user.Id));
        Assert.Equal(AccessLevels.Owner, await LevelAsync(synctop, user.Id));
        Assert.Contains("no/such/group", server.Proxy.Logs.All, StringComparison.Ordinal);
    }

    private async Task<int?> LevelAsync(long groupId, long userId)
    {
        await using var db = await server.Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        return (await db.GroupMembers.AsNoTracking().FirstOrDefaultAsync(m => m.GroupId == groupId && m.UserId == userId))?.AccessLevel;
    }
}
