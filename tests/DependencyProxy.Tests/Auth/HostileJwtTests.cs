using System.Net;
using System.Security.Cryptography;
using System.Text;
using DependencyProxy.Auth;
using DependencyProxy.Identity;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.Tests.Auth;

/// <summary>Every registry token that is not exactly one we issued, unexpired, for this service, is refused with 401.</summary>
public sealed class HostileJwtTests : ProxyTestBase
{
    private const string Repository = "grp/dependency_proxy/containers/alpine";

    private static readonly RepositoryAccess Pull = new("repository", Repository, ["pull"]);

    private async Task<Principal> RootAsync()
    {
        var root = await Proxy.Get<UserAccounts>().FindAsync("root", CancellationToken.None);
        return new Principal(PrincipalKind.User, "root", root!.Id, IsAdmin: true);
    }

    private async Task AssertRefusedAsync(string jwt)
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 10);
        using var response = await Api.PullManifestAsync("grp", "alpine", jwt);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task AGenuineToken_IsAccepted_SoTheRefusalsBelowMeanSomething()
    {
        TestImage.Add(Upstream, "library/alpine", "latest", 10);
        var jwt = Proxy.Get<RegistryTokens>().Issue(await RootAsync(), [Pull], out _);
        Assert.Equal(HttpStatusCode.OK, (await Api.PullManifestAsync("grp", "alpine", jwt)).StatusCode);
    }

    [Fact]
    public async Task ATamperedPayload_IsRefused()
    {
        var jwt = Proxy.Get<RegistryTokens>().Issue(Principal.Anonymous, [Pull], out _);
        var parts = jwt.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"Anonymous\"", "\"User\"");
        await AssertRefusedAsync($"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}");
    }

    [Fact]
    public async Task TheNoneAlgorithm_IsRefused()
    {
        var header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        var payload = Base64UrlEncoder.Encode(
            $"{{\"iss\":\"{RegistryTokens.Issuer}\",\"aud\":\"{RegistryTokens.Service}\",\"kind\":\"User\",\"uid\":1," +
            $"\"exp\":{DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()},\"access\":[{{\"type\":\"repository\",\"name\":\"{Repository}\",\"actions\":[\"pull\"]}}]}}");
        await AssertRefusedAsync($"{header}.{payload}.");
    }

    [Fact]
    public async Task HS256KeyedWithOurPublicKey_IsRefused()
    {
        var publicKey = Proxy.Get<JwtSigningKey>().SecurityKey.ECDsa.ExportSubjectPublicKeyInfo();
        await AssertRefusedAsync(Sign(new SymmetricSecurityKey(publicKey.Concat(new byte[32]).ToArray()), SecurityAlgorithms.HmacSha256));
    }

    [Fact]
    public async Task TokensSignedByAnotherKey_AreRefused()
    {
        await AssertRefusedAsync(Sign(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)), SecurityAlgorithms.EcdsaSha256));
        await AssertRefusedAsync(Sign(new RsaSecurityKey(RSA.Create(2048)), SecurityAlgorithms.RsaSha256));
    }

    [Theory]
    [InlineData("other_service", RegistryTokens.Issuer)]
    [InlineData(RegistryTokens.Service, "someone-else")]
    public async Task OurKeyButAnotherServiceOrIssuer_IsRefused(string audience, string issuer)
    {
        await AssertRefusedAsync(Sign(Proxy.Get<JwtSigningKey>().SecurityKey, SecurityAlgorithms.EcdsaSha256, audience, issuer));
    }

    [Fact]
    public async Task AnExpiredToken_IsRefused()
    {
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        var issuer = new RegistryTokens(Proxy.Get<JwtSigningKey>(), past, Proxy.Get<IOptions<RegistryTokenOptions>>());
        await AssertRefusedAsync(issuer.Issue(await RootAsync(), [Pull], out _));
    }

    [Fact]
    public async Task ATokenNotValidYet_IsRefused()
    {
        var future = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        var issuer = new RegistryTokens(Proxy.Get<JwtSigningKey>(), future, Proxy.Get<IOptions<RegistryTokenOptions>>());
        await AssertRefusedAsync(issuer.Issue(await RootAsync(), [Pull], out _));
    }

    [Theory]
    [InlineData("a.b.c")]
    [InlineData("....")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9")]
    public async Task Garbage_IsRefused(string jwt) => await AssertRefusedAsync(jwt);

    [Fact]
    public async Task AHugeToken_IsRefused() => await AssertRefusedAsync(new string('a', 20_000));

    private static string Sign(SecurityKey key, string algorithm, string audience = RegistryTokens.Service, string issuer = RegistryTokens.Issuer) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Expires = DateTime.UtcNow.AddMinutes(5),
            Claims = new Dictionary<string, object>
            {
                ["kind"] = "User",
                ["uid"] = 1,
                ["access"] = new List<object>
                {
                    new Dictionary<string, object> { ["type"] = "repository", ["name"] = Repository, ["actions"] = new List<object> { "pull" } },
                },
            },
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
}
