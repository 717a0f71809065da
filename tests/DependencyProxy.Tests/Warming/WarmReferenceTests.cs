using DependencyProxy.Warming;

namespace DependencyProxy.Tests.Warming;

public sealed class WarmReferenceTests
{
    [Theory]
    [InlineData("alpine", "alpine", "latest", null)]
    [InlineData("alpine:3.19", "alpine", "3.19", null)]
    [InlineData("library/alpine:3.19", "library/alpine", "3.19", null)]
    [InlineData("ghcr.io/org/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "ghcr.io/org/app", null,
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("alpine:3.19@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "alpine", "3.19",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("localhost:5000/team/app:v1", "localhost:5000/team/app", "v1", null)]
    public void References_ParseAsDockerPullTakesThem(string text, string image, string? tag, string? digest)
    {
        Assert.True(WarmReference.TryParse(text, out var reference, out var error), error);
        Assert.Equal((image, tag, digest), (reference.Image, reference.Tag, reference.Digest?.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../etc/passwd")]
    [InlineData("alpine/../x")]
    [InlineData("Alpine")]
    [InlineData("ALPINE:3.19")]
    [InlineData("alpine:")]
    [InlineData("alpine:-x")]
    [InlineData(":3.19")]
    [InlineData("/alpine")]
    [InlineData("alpine//x")]
    [InlineData("alpine@sha256:xyz")]
    [InlineData("alpine@md5:0123456789abcdef0123456789abcdef")]
    [InlineData("alpine@")]
    [InlineData("a b")]
    [InlineData("alpine\n")]
    [InlineData("alpine%2F..")]
    [InlineData("host:99999/app")]
    [InlineData("ho_st.example/app")]
    public void HostileReferences_AreRefusedWithAReason(string text)
    {
        Assert.False(WarmReference.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void AReferenceLongerThanTheColumn_IsRefused() =>
        Assert.False(WarmReference.TryParse(new string('a', 2000), out _, out _));

    [Theory]
    [InlineData("linux/amd64", true)]
    [InlineData("linux/arm/v7", true)]
    [InlineData("x", false)]
    [InlineData("linux", false)]
    [InlineData("Linux/AMD64", false)]
    [InlineData("linux/amd64/v8/x", false)]
    [InlineData("linux//amd64", false)]
    [InlineData("../amd64", false)]
    public void Platforms_AreOsArchAndAnOptionalVariant(string platform, bool valid) =>
        Assert.Equal(valid, WarmPlatforms.TryCheck(platform, out _));

    [Theory]
    [InlineData("linux/arm64", "linux/arm64/v8", true)]   // an index entry with the variant, asked without
    [InlineData("linux/arm64/v8", "linux/arm64", true)]   // an entry without it, asked with (outside review 27, finding 6)
    [InlineData("linux/arm64", "linux/arm64", true)]
    [InlineData("linux/arm", "linux/arm/v7", true)]       // no variant asked: every variant
    [InlineData("linux/arm/v6", "linux/arm/v7", false)]
    [InlineData("linux/arm64/v8", "linux/amd64", false)]
    [InlineData("linux/amd64", "linux/amd64/v2", true)]
    public void Platforms_MatchIndexEntriesAsClientsDo(string wanted, string entry, bool matches) =>
        Assert.Equal(matches, WarmPlatforms.Select([new DependencyProxy.Caching.PlatformReference("sha256:x", entry)], [wanted]).Count == 1);
}
