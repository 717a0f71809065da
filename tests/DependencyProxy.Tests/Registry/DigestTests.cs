using System.Text;
using DependencyProxy.Oci;
using DependencyProxy.Registry;

namespace DependencyProxy.Tests.Registry;

public sealed class DigestTests
{
    [Fact]
    public void Sha256OfBytes_IsTheWellKnownValue()
    {
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digest.Sha256Of([]).ToString());
    }

    [Theory]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")]
    public void SupportedDigests_RoundTrip(string value)
    {
        Assert.True(Digest.TryParse(value, out var digest, out _));
        Assert.Equal(value, digest.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256")]
    [InlineData(":abc")]
    [InlineData("sha256:")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555")]
    [InlineData("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564")]
    public void MalformedOrUnsupportedDigests_AreRefusedWithAReason(string? value)
    {
        Assert.False(Digest.TryParse(value, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void ErrorMessages_DoNotEchoHostileInput()
    {
        Digest.TryParse("<script>alert(1)</script>:00", out _, out var error);
        Assert.DoesNotContain("<script>", error);
    }

    [Fact]
    public void IncrementalHash_MatchesOnlyTheRightContent()
    {
        var content = Encoding.UTF8.GetBytes("layer bytes");
        var digest = Digest.Sha256Of(content);
        using var right = digest.CreateHash();
        right.AppendData(content);
        Assert.True(digest.Matches(right));
        using var wrong = digest.CreateHash();
        wrong.AppendData(Encoding.UTF8.GetBytes("layer bytez"));
        Assert.False(digest.Matches(wrong));
    }

    [Fact]
    public void Sha512Digests_AreVerifiedWithSha512()
    {
        var content = Encoding.UTF8.GetBytes("abc");
        var sha512 = Digest.Parse("sha512:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(content)));
        Assert.Equal(sha512, sha512.ComputeSameAlgorithm(content));
    }
}
