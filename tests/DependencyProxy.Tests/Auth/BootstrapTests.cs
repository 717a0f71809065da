using System.Net;
using System.Text.RegularExpressions;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Auth;

public sealed class BootstrapTests
{
    [Fact]
    public async Task WithoutAnInitialToken_RootGetsAGeneratedPassword_LoggedOnce_ThatLogsIn()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var proxy = new ProxyFactory(upstream.Url, new() { ["DependencyProxy:InitialRootToken"] = "" });
        using var client = proxy.CreateClient();

        var lines = proxy.Logs.Lines.Where(l => l.Contains("the administrator 'root' has the password")).ToList();
        var line = Assert.Single(lines);
        // One line says that this is a new instance, and where: a mistyped data directory shows at once.
        Assert.Contains($"Created a new instance in {Path.GetFullPath(proxy.DataDirectory)}", line);
        Assert.Contains("users set-password root", line);
        var password = Regex.Match(line, "password (\\S+) \\(shown only now\\)").Groups[1].Value;

        var api = new ApiClient(client);
        Assert.Equal(HttpStatusCode.OK, (await api.LoginAsync("root", password)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.LoginAsync("root", password + "x")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/user", ProxyFactory.RootToken)).Status);
    }

    [Fact]
    public async Task WithAnInitialToken_RootIsAnAdministratorWithApiAndRegistryScopes()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var proxy = new ProxyFactory(upstream.Url);
        var api = new ApiClient(proxy.CreateClient());
        var (status, user) = await api.GetAsync("/user", ProxyFactory.RootToken);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("root", user.GetProperty("username").GetString());
        Assert.True(user.GetProperty("is_admin").GetBoolean());
        var (_, tokens) = await api.GetAsync("/personal_access_tokens", ProxyFactory.RootToken);
        Assert.Equal(["api", "read_registry"], tokens[0].GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.DoesNotContain(proxy.Logs.Lines, l => l.Contains(ProxyFactory.RootToken));
    }
}
