using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DependencyProxy.Tests.Web;

/// <summary>A cookie-keeping client that works the pages as a browser would: it reads each form's anti-forgery token and posts it back.</summary>
public sealed partial class WebClient(DependencyProxy.Tests.Infrastructure.ProxyFactory factory) : IDisposable
{
    public const string Password = "long-enough-password";

    // Keeps cookies, and shows redirects instead of following them.
    private readonly HttpClient _http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>The anti-forgery token a page's forms carry.</summary>
    public static string AntiforgeryToken(string html) => TokenRegex().Match(html).Groups[1].Value;

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    public async Task<string> GetPageAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {response.StatusCode} {response.Headers.Location}");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Posts a form found on <paramref name="page"/>, with that page's anti-forgery token unless told not to.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string page, string action, Dictionary<string, string> fields, bool withToken = true)
    {
        var html = await GetPageAsync(page);
        var form = new List<KeyValuePair<string, string>>(fields);
        if (withToken)
        {
            form.Add(new("__RequestVerificationToken", AntiforgeryToken(html)));
        }

        return await _http.PostAsync(action, new FormUrlEncodedContent(form));
    }

    /// <summary>Posts any body (a hand-made or chunked form) with this client's cookies.</summary>
    public Task<HttpResponseMessage> PostAsync(string action, HttpContent content) => _http.PostAsync(action, content);

    public async Task<HttpResponseMessage> SignInAsync(string username, string password = Password, string? returnTo = null) =>
        await PostFormAsync("/users/sign_in", "/users/sign_in",
            new() { ["username"] = username, ["password"] = password, ["return_to"] = returnTo ?? "/groups" });

    /// <summary>A new user (made through the API as root) with <paramref name="level"/> in the group, signed in.</summary>
    public static async Task<WebClient> SignedInMemberAsync(
        DependencyProxy.Tests.Infrastructure.ProxyFactory factory, DependencyProxy.Tests.Infrastructure.ApiClient api, long groupId, string username, int level)
    {
        var browser = new WebClient(factory);
        var (userId, _) = await api.CreateUserWithTokenAsync(username);
        await api.PostAsync($"/groups/{groupId}/members", DependencyProxy.Tests.Infrastructure.ProxyFactory.RootToken, new { user_id = userId, access_level = level });
        (await browser.SignInAsync(username)).Dispose();
        return browser;
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();
}
