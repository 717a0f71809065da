using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;
using WebClient = DependencyProxy.Tests.Web.WebClient;

namespace DependencyProxy.Tests.Api;

/// <summary>
/// Every free-text field the REST API and the pages accept has a maximum length (GitLab's where it has one): one
/// character more is a 400 naming the field and its maximum; a value of exactly the maximum is accepted.
/// </summary>
public sealed class FieldLimitTests : ProxyTestBase
{
    /// <summary>Method, path, the field, its maximum; the other fields of <see cref="ValidFields"/> make the request valid.</summary>
    public static TheoryData<string, string, string, int> ApiFields => new()
    {
        { "POST", "/groups", "name", 255 },
        { "POST", "/groups", "description", 2000 },
        { "PUT", "/groups/grp", "name", 255 },
        { "PUT", "/groups/grp", "description", 2000 },
        { "GET", "/groups", "search", 255 },
        { "POST", "/users", "username", 255 },
        { "POST", "/users", "email", 255 },
        { "POST", "/users", "name", 255 },
        { "POST", "/users", "password", 128 },
        { "GET", "/users", "username", 255 },
        { "GET", "/users", "search", 255 },
        { "POST", "/users/1/personal_access_tokens", "name", 255 },
        { "POST", "/groups/grp/deploy_tokens", "name", 255 },
        { "POST", "/groups/grp/deploy_tokens", "username", 255 },
        { "POST", "/groups/grp/access_tokens", "name", 255 },
        { "PUT", "/groups/grp/dependency_proxy/settings", "identity", 255 },
        { "PUT", "/groups/grp/dependency_proxy/settings", "secret", 1024 },
        { "PUT", "/groups/grp/dependency_proxy/upstream_credentials/docker.io", "identity", 255 },
        { "PUT", "/groups/grp/dependency_proxy/upstream_credentials/docker.io", "secret", 1024 },
    };

    [Theory]
    [MemberData(nameof(ApiFields))]
    public async Task AnApiFieldOneCharacterTooLong_IsRefusedByName_AndOneAtTheMaximumIsAccepted(string method, string path, string field, int maximum)
    {
        var (tooLong, refusal) = await SendAsync(method, path, field, Text(field, maximum + 1));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong);
        Assert.Equal($"{field} is too long (maximum is {maximum} characters)", refusal.GetProperty("error").GetString());

        var (atMaximum, answer) = await SendAsync(method, path, field, Text(field, maximum));
        Assert.True(atMaximum is HttpStatusCode.OK or HttpStatusCode.Created, $"{(int)atMaximum}: {answer}");
    }

    [Fact]
    public async Task Limits_CountCharacters_NotUtf16Units()
    {
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 2000)); // 4,000 UTF-16 units
        var (atMaximum, answer) = await Api.PutAsync("/groups/grp", Root, new { description = emoji });
        Assert.True(atMaximum == HttpStatusCode.OK, $"{(int)atMaximum}: {answer}");
        Assert.Equal(emoji, answer.GetProperty("description").GetString());
        var (tooLong, _) = await Api.PutAsync("/groups/grp", Root, new { description = emoji + "\U0001F600" });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong);
    }

    [Fact]
    public async Task AnOverLongValueInAJsonList_IsRefusedByName()
    {
        var (status, refusal) = await Api.PostAsync("/users/1/personal_access_tokens", Root,
            new Dictionary<string, object> { ["name"] = "t", ["scopes"] = new[] { "api", new string('s', 256) } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("scopes is too long (maximum is 255 characters)", refusal.GetProperty("error").GetString());
    }

    /// <summary>The page, the form's action, the field and its maximum; <see cref="FormFields"/> fills in the rest.</summary>
    public static TheoryData<string, string, string, int> PageFields => new()
    {
        { "/groups", "/groups?handler=Create", "name", 255 },
        { "/admin", "/admin?handler=Create", "username", 255 },
        { "/admin", "/admin?handler=Create", "email", 255 },
        { "/admin", "/admin?handler=Create", "name", 255 },
        { "/admin", "/admin?handler=Create", "password", 128 },
        { "/-/profile/personal_access_tokens", "/-/profile/personal_access_tokens?handler=Create", "name", 255 },
        { "/-/profile/password", "/-/profile/password", "new_password", 128 },
        { "/groups/-/settings/grp", "/groups/-/settings/grp?handler=DockerHub", "identity", 255 },
        { "/groups/-/settings/grp", "/groups/-/settings/grp?handler=DockerHub", "secret", 1024 },
        { "/groups/-/settings/grp", "/groups/-/settings/grp?handler=Upstream", "identity", 255 },
        { "/groups/-/settings/grp", "/groups/-/settings/grp?handler=Upstream", "secret", 1024 },
    };

    [Theory]
    [MemberData(nameof(PageFields))]
    public async Task AFormFieldOneCharacterTooLong_IsRefusedByName_AndOneAtTheMaximumIsAccepted(string page, string action, string field, int maximum)
    {
        await Proxy.Get<DependencyProxy.Identity.UserAccounts>().SetPasswordAsync("root", WebClient.Password, default);
        using var browser = new WebClient(Proxy);
        (await browser.SignInAsync("root")).Dispose();

        using var tooLong = await browser.PostFormAsync(page, action, FormFields(page, field, Text(field, maximum + 1)));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var html = System.Net.WebUtility.HtmlDecode(await tooLong.Content.ReadAsStringAsync());
        Assert.Contains($"{PageFieldName(field)} is too long (maximum is {maximum} characters)", html);

        using var atMaximum = await browser.PostFormAsync(page, action, FormFields(page, field, Text(field, maximum)));
        Assert.True(atMaximum.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.OK, $"{(int)atMaximum.StatusCode}");
    }

    /// <summary>A value of exactly <paramref name="length"/> characters that is otherwise valid for the field.</summary>
    private static string Text(string field, int length) => field switch
    {
        "email" => new string('e', length - "@example.com".Length) + "@example.com",
        "scopes" => new string('s', length),
        _ => new string(field[0], length),
    };

    /// <summary>The pages speak of the password as the password, whatever their form calls the field.</summary>
    private static string PageFieldName(string field) => field == "new_password" ? "password" : field;

    private static Dictionary<string, string> FormFields(string page, string field, string value)
    {
        var fields = new Dictionary<string, string>
        {
            ["name"] = "lim", ["username"] = "lim", ["email"] = "lim@example.com", ["password"] = "long-enough-password",
            ["scopes"] = "api", ["current_password"] = WebClient.Password, ["identity"] = "me", ["secret"] = "s3cret", ["registry"] = "docker.io",
        };
        // Only the new-group form has a path field; elsewhere a posted "path" would stand for the page's group.
        if (page == "/groups")
        {
            fields["path"] = "lim";
        }

        fields[field] = value;
        if (field == "new_password")
        {
            fields["confirmation"] = value;
        }

        return fields;
    }

    private static Dictionary<string, object> ValidFields(string path) => path switch
    {
        "/groups" => new() { ["name"] = "lim", ["path"] = "lim" },
        "/users" => new() { ["username"] = "lim", ["email"] = "lim@example.com", ["name"] = "Lim", ["password"] = "long-enough-password" },
        _ when path.EndsWith("_tokens", StringComparison.Ordinal) =>
            new() { ["name"] = "lim", ["scopes"] = new[] { path.Contains("deploy") ? "read_registry" : "api" } },
        _ when path.Contains("dependency_proxy", StringComparison.Ordinal) => new() { ["identity"] = "me", ["secret"] = "s3cret" },
        _ => [],
    };

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(string method, string path, string field, string value)
    {
        if (method == "GET")
        {
            return await Api.GetAsync($"{path}?{field}={Uri.EscapeDataString(value)}", Root);
        }

        var body = ValidFields(path);
        body[field] = value;
        return await Api.SendAsync(new HttpMethod(method), path, Root, body);
    }
}
