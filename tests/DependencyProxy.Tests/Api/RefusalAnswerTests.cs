using System.Net;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

/// <summary>
/// The answers to refused creates and updates, byte for byte: the services report a kind of refusal (a bad value, a
/// taken name) and the API picks GitLab's status and body shape from the kind, never from the message's words.
/// </summary>
public sealed class RefusalAnswerTests : ProxyTestBase
{
    [Fact]
    public async Task ATakenGroupPath_Is400WithGitLabsValidationHash_ABadOneIs400WithAnError()
    {
        var (_, alice) = await Api.CreateUserWithTokenAsync("alice");
        Assert.Equal(HttpStatusCode.Created, (await Api.PostAsync("/groups", alice, new { name = "Team", path = "team" })).Status);

        // A name that reads like the refusal changes nothing: only the path decides.
        var (taken, why) = await Api.PostAsync("/groups", alice, new { name = "already exists", path = "team" });
        Assert.Equal(HttpStatusCode.BadRequest, taken);
        Assert.Equal("""{"message":"Failed to save group {:path=\u003E[\u0022group \u0027team\u0027 already exists\u0022]}"}""", why.GetRawText());

        var (bad, error) = await Api.PostAsync("/groups", alice, new { name = "already exists", path = "dependency_proxy" });
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("""{"error":"\u0027dependency_proxy\u0027 is reserved and cannot be part of a group path"}""", error.GetRawText());

        // A virtual registry's pull path begins with it: such a group could never be pulled from (outside review, F17).
        var (clash, clashError) = await Api.PostAsync("/groups", alice, new { name = "VR", path = "virtual_registries" });
        Assert.Equal(HttpStatusCode.BadRequest, clash);
        Assert.Contains("'virtual_registries' is reserved as a top-level group path", clashError.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Created, (await Api.PostAsync("/groups", alice, new { name = "Sub", path = "virtual_registries", parent_id = await GroupIdAsync("team") })).Status);
    }

    private async Task<long> GroupIdAsync(string path) => (await Api.GetAsync($"/groups/{path}", Root)).Body.GetProperty("id").GetInt64();

    [Fact]
    public async Task ATakenUsernameOrEmail_Is409WithAMessage_ABadValueIs400WithAnError()
    {
        await Api.CreateUserWithTokenAsync("alice");
        var (username, usernameBody) = await Api.PostAsync("/users", Root, new { username = "alice", email = "new@example.com", name = "A" });
        Assert.Equal(HttpStatusCode.Conflict, username);
        Assert.Equal("""{"message":"Username has already been taken"}""", usernameBody.GetRawText());

        var (email, emailBody) = await Api.PostAsync("/users", Root, new { username = "bob", email = "alice@example.com", name = "B" });
        Assert.Equal(HttpStatusCode.Conflict, email);
        Assert.Equal("""{"message":"Email has already been taken"}""", emailBody.GetRawText());

        var (bad, badBody) = await Api.PostAsync("/users", Root, new { username = "bob", email = "no-at-sign", name = "already been taken" });
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("""{"error":"email is invalid"}""", badBody.GetRawText());
    }

    [Theory]
    [InlineData("ALICE", "new@example.com", "Username")]
    [InlineData("Alice", "new@example.com", "Username")]
    [InlineData("bob", "ALICE@example.com", "Email")]
    [InlineData("bob", "Alice@Example.COM", "Email")]
    [InlineData("bob", "ADMIN@example.com", "Email")]
    [InlineData("Root", "new@example.com", "Username")]
    public async Task AUsernameOrEmailDifferingOnlyInCase_IsTaken_As409WithTheSameSentence(string username, string email, string field)
    {
        await Api.CreateUserWithTokenAsync("alice");
        var (status, body) = await Api.PostAsync("/users", Root, new { username, email, name = "B" });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal($$"""{"message":"{{field}} has already been taken"}""", body.GetRawText());
    }

    [Theory]
    [InlineData("x<script>/../y@corp.test")]
    [InlineData("a..b@corp.test")]
    [InlineData("a@corp..test")]
    [InlineData("a@-corp.test")]
    [InlineData("\"q\"@corp.test")]
    public async Task AnAddressWithMarkupPathsOrEmptyParts_IsInvalid(string email)
    {
        var (bad, badBody) = await Api.PostAsync("/users", Root, new { username = "bob", email, name = "B" });
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("""{"error":"email is invalid"}""", badBody.GetRawText());
        Assert.Equal(HttpStatusCode.Created, (await Api.PostAsync("/users", Root, new { username = "bob", email = "bob.o'neil+tag@corp-1.example", name = "B" })).Status);
    }

    [Fact]
    public async Task UpdatingToATakenEmail_Is409WithAMessage_ABadValueIs400_AnUnknownUserIs404()
    {
        var (bobId, _) = await Api.CreateUserWithTokenAsync("bob");
        await Api.CreateUserWithTokenAsync("carol");

        var (taken, takenBody) = await Api.PutAsync($"/users/{bobId}", Root, new { email = "carol@example.com" });
        Assert.Equal(HttpStatusCode.Conflict, taken);
        Assert.Equal("""{"message":"Email has already been taken"}""", takenBody.GetRawText());
        var (cased, casedBody) = await Api.PutAsync($"/users/{bobId}", Root, new { email = "Carol@EXAMPLE.com" });
        Assert.Equal(HttpStatusCode.Conflict, cased);
        Assert.Equal("""{"message":"Email has already been taken"}""", casedBody.GetRawText());
        // One's own address in another case is no conflict.
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync($"/users/{bobId}", Root, new { email = "BOB@example.com" })).Status);

        var (bad, badBody) = await Api.PutAsync($"/users/{bobId}", Root, new { name = "" });
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("""{"error":"name must not be empty"}""", badBody.GetRawText());

        var (missing, missingBody) = await Api.PutAsync("/users/999999", Root, new { name = "Nobody" });
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("""{"message":"404 User Not Found"}""", missingBody.GetRawText());
    }
}
