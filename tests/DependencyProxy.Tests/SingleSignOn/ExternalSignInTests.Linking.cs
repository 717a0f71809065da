using DependencyProxy.Data;
using DependencyProxy.Identity;
using DependencyProxy.SingleSignOn;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Tests.SingleSignOn;

/// <summary>
/// Linking by a verified e-mail address when an administrator allowed it: a person's account is linked (whatever the
/// case of the address), an administrator's, root's or a bot's never is; and the addresses a provider sends.
/// </summary>
public sealed partial class ExternalSignInTests
{
    /// <summary>The same services with LinkVerifiedEmail on, so the shared server keeps its default (off).</summary>
    private ExternalSignIns Linking => ActivatorUtilities.CreateInstance<ExternalSignIns>(
        server.Proxy.Services, Options.Create(new WebSignInOptions { Oidc = { LinkVerifiedEmail = true } }));

    [Fact]
    public async Task WithLinkingOn_AVerifiedEmailLinksAPerson_WhateverItsCase()
    {
        var name = Unique("per");
        var (personId, _) = await server.Api.CreateUserWithTokenAsync(name);
        var (user, refusal) = await Linking.SignInAsync(Identity(Unique("sub-"), "someone", $"{name.ToUpperInvariant()}@Example.COM"), CancellationToken.None);

        Assert.Null(refusal);
        Assert.Equal(personId, user!.Id);
    }

    [Fact]
    public async Task WithLinkingOn_RootAnAdministratorAndABot_AreNeverLinkedByEmail_TheSignInMakesANewUser()
    {
        var root = await server.Proxy.Get<UserAccounts>().FindAsync(UserAccounts.RootUsername, CancellationToken.None);
        Assert.Equal("admin@example.com", root!.Email);
        var adminName = Unique("adm");
        var (admin, _) = await server.Proxy.Get<UserAccounts>().CreateAsync(adminName, $"{adminName}@example.com", "Admin", null, isAdmin: true, CancellationToken.None);
        var botName = Unique("group_1_bot_");
        await using (var db = await server.Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync())
        {
            var group = await db.Groups.FirstAsync(g => g.FullPath == "sync");
            db.Users.Add(new User { Username = botName, Email = $"{botName}@noreply.dependency-proxy", Name = "ci", BotGroupId = group.Id, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        foreach (var (holderName, email) in new[] { ("root", "admin@example.com"), ("root", "Admin@Example.com"), (adminName, $"{adminName}@example.com"), (botName, $"{botName}@noreply.dependency-proxy") })
        {
            var (user, refusal) = await Linking.SignInAsync(Identity(Unique("sub-"), holderName, email), CancellationToken.None);
            Assert.Null(refusal);
            Assert.NotEqual(holderName, user!.Username);
            Assert.NotEqual(root.Id, user.Id);
            Assert.NotEqual(admin!.Id, user.Id);
            Assert.False(user.IsAdmin);
            Assert.Null(user.BotGroupId);
            // The address stays its holder's: the new user gets the placeholder.
            Assert.EndsWith("@users.noreply.invalid", user.Email);
        }

        Assert.DoesNotContain("to the existing user root", server.Proxy.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithLinkingOff_AnAddressDifferingOnlyInCase_IsNotGivenTwice()
    {
        var name = Unique("cas");
        await server.Api.CreateUserWithTokenAsync(name);
        var (user, _) = await SignIns.SignInAsync(Identity(Unique("sub-"), Unique("new"), $"{name.ToUpperInvariant()}@EXAMPLE.com"), CancellationToken.None);
        Assert.EndsWith("@users.noreply.invalid", user!.Email);
    }

    [Theory]
    [InlineData("x<script>/../y@corp.test")]
    [InlineData("a..b@corp.test")]
    [InlineData("\"quoted\"@corp.test")]
    [InlineData("a@-corp.test")]
    [InlineData("a@corp..test")]
    [InlineData("a b@corp.test")]
    public async Task AnInvalidProviderAddress_IsTreatedAsAbsent_AndLogged(string email)
    {
        var sub = Unique("sub-");
        var (user, refusal) = await SignIns.SignInAsync(Identity(sub, Unique("inv"), email), CancellationToken.None);
        Assert.Null(refusal);
        Assert.EndsWith("@users.noreply.invalid", user!.Email);
        Assert.Contains($"ignored the e-mail address {Issuer} sent for subject {sub}", server.Proxy.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUsernameDifferingOnlyInCase_IsTakenForANewUser()
    {
        var name = Unique("cap");
        await server.Api.CreateUserWithTokenAsync(name);
        var (user, _) = await SignIns.SignInAsync(Identity(Unique("sub-"), name.ToUpperInvariant()), CancellationToken.None);
        Assert.Equal(name.ToUpperInvariant() + "1", user!.Username);
    }
}
