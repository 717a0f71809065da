using DependencyProxy.Data;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Data;

/// <summary>The suite really runs on the database it claims to (scripts/test.sh runs it on SQLite, then on PostgreSQL).</summary>
public sealed class DatabaseProviderTests : ProxyTestBase
{
    [Fact]
    public async Task TheServerUsesTheDatabaseThisRunIsFor_WithEveryMigrationApplied()
    {
        await using var db = await Proxy.Get<IDbContextFactory<ProxyDbContext>>().CreateDbContextAsync();
        var expected = TestDatabase.IsPostgreSql ? "Npgsql.EntityFrameworkCore.PostgreSQL" : "Microsoft.EntityFrameworkCore.Sqlite";
        Assert.Equal(expected, db.Database.ProviderName);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal("grp", (await db.Groups.SingleAsync(g => g.Id == GroupId)).FullPath);
    }

    [Fact]
    public async Task DatesWithoutAKind_AreStoredAsUtc()
    {
        // A token's expiry parsed from a request has no kind; PostgreSQL's timestamptz takes only UTC.
        var (status, token) = await Api.PostAsync("/users/1/personal_access_tokens", Root,
            new { name = "dated", scopes = new[] { "read_api" }, expires_at = "2031-02-03" });
        Assert.Equal(System.Net.HttpStatusCode.Created, status);
        Assert.Equal("2031-02-03", token.GetProperty("expires_at").GetString());
    }
}
