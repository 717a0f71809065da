using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace DependencyProxy.Tests.CiIdentity;

/// <summary>Forged, spoofed and malformed CI tokens: each is the generic refusal, and the log says why.</summary>
public sealed partial class CiIdentityLoginTests
{
    [Fact]
    public async Task AnUnknownKeyId_NoneAlgorithm_AndHs256WithThePublicKeyAsSecret_AreRefused()
    {
        await AssertRefusedAsync(fixture.GitLab.Mint(Now, CiIdentityFixture.Audience, CiIdentityFixture.GitLabClaims(), kid: "no-such-key"));

        var payload = JsonSerializer.Serialize(new Dictionary<string, object>(CiIdentityFixture.GitLabClaims())
        {
            ["iss"] = fixture.GitLab.Url, ["aud"] = CiIdentityFixture.Audience,
            ["iat"] = Now.ToUnixTimeSeconds(), ["exp"] = Now.AddMinutes(5).ToUnixTimeSeconds(),
        });
        var kid = fixture.GitLab.Current.Kid;
        await AssertRefusedAsync(FakeCiIssuer.Raw($"{{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"{kid}\"}}", payload));

        // The classic forgery: HMAC keyed with the public key, as the JWKS publishes it and as PEM.
        var rsa = ((RsaSecurityKey)fixture.GitLab.Current.Key).Rsa;
        foreach (var secret in new[] { Encoding.UTF8.GetBytes(fixture.GitLab.PublicJwk()), Encoding.UTF8.GetBytes(rsa.ExportSubjectPublicKeyInfoPem()) })
        {
            await AssertRefusedAsync(FakeCiIssuer.Raw($"{{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"{kid}\"}}", payload, data => HMACSHA256.HashData(secret, data)));
        }

        Assert.Contains("algorithm 'none' is not accepted", fixture.Proxy.Logs.All);
        Assert.Contains("algorithm 'HS256' is not accepted", fixture.Proxy.Logs.All);
    }

    [Fact]
    public async Task ATokenOfAnUnlistedIssuer_OrSpoofingAListedIssWithAnotherKey_OrCarryingItsOwnKey_IsRefused()
    {
        var before = fixture.Unlisted.Requests.Count;
        await AssertRefusedAsync(fixture.Unlisted.Mint(Now, CiIdentityFixture.Audience, CiIdentityFixture.GitLabClaims()));
        Assert.Equal(before, fixture.Unlisted.Requests.Count); // an unlisted issuer is never contacted

        // iss says gitlab, the signature is the unlisted issuer's: under its own kid, and under gitlab's kid.
        var spoofed = new Dictionary<string, object>(CiIdentityFixture.GitLabClaims()) { ["iss"] = fixture.GitLab.Url };
        await AssertRefusedAsync(fixture.Unlisted.Mint(Now, CiIdentityFixture.Audience, spoofed));
        await AssertRefusedAsync(fixture.Unlisted.Mint(Now, CiIdentityFixture.Audience, spoofed, kid: fixture.GitLab.Current.Kid));

        // A key in the token's own header (jwk) is never used.
        var attacker = RSA.Create(2048);
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(attacker.ExportParameters(false)));
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>(spoofed)
        {
            ["aud"] = CiIdentityFixture.Audience, ["iat"] = Now.ToUnixTimeSeconds(), ["exp"] = Now.AddMinutes(5).ToUnixTimeSeconds(),
        });
        var header = $"{{\"alg\":\"RS256\",\"kid\":\"{fixture.GitLab.Current.Kid}\",\"jwk\":{{\"kty\":\"RSA\",\"n\":\"{jwk.N}\",\"e\":\"{jwk.E}\"}}}}";
        await AssertRefusedAsync(FakeCiIssuer.Raw(header, payload, data => attacker.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
    }

    [Theory]
    [InlineData("eyJ.eyJ.")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.W10.c2ln")]
    [InlineData("eyJ!!!.eyJ???.###")]
    public async Task AMalformedToken_IsTheGenericRefusal_NeverAServerError(string token) => await AssertRefusedAsync(token);

    [Fact]
    public async Task ATokenWithACriticalHeaderExtension_IsRefused()
    {
        var payload = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>(CiIdentityFixture.GitLabClaims())
        {
            ["iss"] = fixture.GitLab.Url, ["aud"] = CiIdentityFixture.Audience, ["iat"] = Now.ToUnixTimeSeconds(), ["exp"] = Now.AddMinutes(5).ToUnixTimeSeconds(),
        });
        var rsa = ((Microsoft.IdentityModel.Tokens.RsaSecurityKey)fixture.GitLab.Current.Key).Rsa;
        string Signed(string header) => FakeCiIssuer.Raw(header, payload, data => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        // The same token without crit is accepted: only crit makes the difference.
        var plain = Signed($"{{\"alg\":\"RS256\",\"kid\":\"{fixture.GitLab.Current.Kid}\"}}");
        Assert.Equal(HttpStatusCode.OK, (await fixture.LoginAsync(plain, CiIdentityFixture.Repository("acme"))).Status);
        await AssertRefusedAsync(Signed($"{{\"alg\":\"RS256\",\"kid\":\"{fixture.GitLab.Current.Kid}\",\"crit\":[\"foo\"],\"foo\":1}}"));
        Assert.Contains("the token's header has crit", fixture.Proxy.Logs.All);
    }

    [Fact]
    public async Task AHugeToken_IsRefused()
    {
        // Over 8 KiB, still within the Basic header's 12 KiB: the token's own limit speaks.
        var claims = new Dictionary<string, object>(CiIdentityFixture.GitLabClaims()) { ["padding"] = new string('x', 5900) };
        var token = GitLabToken(claims);
        Assert.InRange(token.Length, 8193, 9000);
        await AssertRefusedAsync(token, message: "the CI token is too long: at most 8 KiB");

        // Over the Basic header's limit: the same line, never "use HTTP Basic credentials".
        claims["padding"] = new string('x', 9000);
        await AssertRefusedAsync(GitLabToken(claims), message: "the CI token is too long: at most 8 KiB");
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("OIDC")]
    [InlineData("oid")]
    public async Task AnOverlongPasswordOfAnotherUsername_GetsTheUsualRefusal_NotTheCiTokensLimit(string username)
    {
        // Second outside review, finding 5b: alice: and 9,300 characters (a Basic header over 12 KiB).
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/jwt/auth?service=dependency_proxy&scope=repository:{CiIdentityFixture.Repository("acme")}:pull");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{username}:{new string('p', 9300)}")));
        request.Headers.Add(TestClientAddress.Header, "10.99.3.1");
        using var response = await fixture.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var message = Message(await response.Content.ReadAsStringAsync());
        Assert.Equal(Generic, message);
    }
}
