using DependencyProxy.Caching;

namespace DependencyProxy.Tests.Caching;

/// <summary>The IMAGE[:TAG] argument of <c>cache delete</c>: what people type, and what must be refused.</summary>
public sealed class CachedImageNameTests
{
    [Theory]
    [InlineData("alpine", "alpine", "latest")]
    [InlineData("alpine:3.19", "alpine", "3.19")]
    [InlineData("library/alpine:3.19", "library/alpine", "3.19")]
    [InlineData("localhost:5000/team/app", "localhost:5000/team/app", "latest")]
    [InlineData("ghcr.io/org/app:v1", "ghcr.io/org/app", "v1")]
    [InlineData("alpine@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "alpine",
        "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void ImageNames_SplitIntoNameAndReference(string text, string name, string reference) =>
        Assert.Equal((name, reference), CachedImageName.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Alpine")]
    [InlineData("alpine:")]
    [InlineData("alpine:bad tag")]
    [InlineData("alpine@sha256:short")]
    [InlineData("alpine@")]
    [InlineData("../../etc/passwd")]
    [InlineData("alpine/../x")]
    [InlineData("a//b")]
    [InlineData("/alpine")]
    [InlineData("alpine:1;rm -rf /")]
    [InlineData("evil.example\u0000/x")]
    [InlineData("<script>:x")]
    public void HostileText_IsNoImageName(string text) => Assert.Null(CachedImageName.Parse(text));

    [Fact]
    public void AVeryLongName_IsNoImageName() => Assert.Null(CachedImageName.Parse(new string('a', 10_000)));
}
