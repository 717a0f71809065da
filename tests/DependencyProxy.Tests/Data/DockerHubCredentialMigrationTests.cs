using System.Net;
using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace DependencyProxy.Tests.Data;

/// <summary>
/// Issue 15: Docker Hub's account moved from the group row into GroupUpstreamCredentials. A database at the migration
/// before, with accounts on group rows, keeps them: the settings still show them and pulls still use them.
/// </summary>
public sealed class DockerHubCredentialMigrationTests : ProxyTestBase
{
    private sealed record HubColumns(string FullPath, string? DockerHubIdentity, string? DockerHubSecretProtected);

    [Fact]
    public async Task DockerHubAccountsOnGroupRows_AreMovedIntoTheCredentialTable_AndStillUsed()
    {
        var image = TestImage.Add(Upstream, "library/alpine", "latest", 100);
        foreach (var path in new[] { "team", "half", "legacy" })
        {
            await Proxy.CreateGroupAsync(path);
        }

        // Written by today's code, to have a secret encrypted with this server's keys and a half-set account.
        await Api.PutAsync("/groups/team/dependency_proxy/settings", Root, new { identity = "hub-user", secret = "hub-secret-value" });
        await Api.PutAsync("/groups/half/dependency_proxy/settings", Root, new { identity = "only-a-name" });
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var ciphertext = await db.GroupUpstreamCredentials.Where(c => c.Registry == "docker.io" && c.Identity == "hub-user")
            .Select(c => c.SecretProtected).SingleAsync();

        // Back to the migration before this change (SQLite takes two steps, PostgreSQL one): the accounts go back onto the group rows.
        var before = db.Database.GetMigrations()
            .TakeWhile(m => !m.EndsWith("_CredentialPartsMayBeNull", StringComparison.Ordinal)
                && !m.EndsWith("_DockerHubCredentialsInTheCredentialTable", StringComparison.Ordinal))
            .Last();
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(before);
        Assert.Equal(0, await db.Database.SqlQueryRaw<int>("""SELECT COUNT(*) AS "Value" FROM "GroupUpstreamCredentials" """).SingleAsync());
        // A group whose account the code before this change wrote, as it wrote it.
        await db.Database.ExecuteSqlRawAsync(
            """UPDATE "Groups" SET "DockerHubIdentity" = 'legacy-user', "DockerHubSecretProtected" = {0} WHERE "FullPath" = 'legacy'""", ciphertext!);
        var columns = await db.Database.SqlQueryRaw<HubColumns>(
            """SELECT "FullPath", "DockerHubIdentity", "DockerHubSecretProtected" FROM "Groups" """).ToListAsync();
        Assert.Contains(new HubColumns("team", "hub-user", ciphertext), columns);
        Assert.Contains(new HubColumns("half", "only-a-name", null), columns);
        Assert.Contains(new HubColumns("grp", null, null), columns);

        await migrator.MigrateAsync();

        foreach (var (path, identity, secretSet) in new[] { ("legacy", "legacy-user", true), ("team", "hub-user", true), ("half", "only-a-name", false) })
        {
            var (status, settings) = await Api.GetAsync($"/groups/{path}/dependency_proxy/settings", Root);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(identity, settings.GetProperty("identity").GetString());
            Assert.Equal(secretSet, settings.GetProperty("secret_set").GetBoolean());
        }

        var (_, grp) = await Api.GetAsync("/groups/grp/dependency_proxy/settings", Root);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, grp.GetProperty("identity").ValueKind);
        await PullAsync("alpine", image, group: "legacy");
        var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("legacy-user:hub-secret-value"));
        Assert.Contains(expected, Upstream.TokenAuthorizations);
    }
}
