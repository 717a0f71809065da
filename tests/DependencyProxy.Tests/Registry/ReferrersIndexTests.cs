using System.Text;
using System.Text.Json;
using DependencyProxy.Oci;

namespace DependencyProxy.Tests.Registry;

public sealed class ReferrersIndexTests
{
    private const string A = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [Fact]
    public void TheReferrersTag_IsTheAlgorithmAndTheFirst64HexCharacters()
    {
        Assert.True(Digest.TryParse(A, out var sha256, out _));
        Assert.Equal("sha256-" + new string('a', 64), ReferrersIndex.TagFor(sha256));
        Assert.True(Digest.TryParse("sha512:" + new string('c', 128), out var sha512, out _));
        Assert.Equal("sha512-" + new string('c', 64), ReferrersIndex.TagFor(sha512));
    }

    [Fact]
    public void Descriptors_PassThroughAsWritten_UnknownFieldsAndAnnotationsIncluded()
    {
        var entry = $"{{ \"mediaType\":\"application/vnd.oci.image.manifest.v1+json\", \"digest\":\"{A}\",\"size\":7,\"artifactType\":\"application/spdx+json\",\"annotations\":{{\"x\":\"\\u00e9\"}},\"x-new\":[1] }}";
        var parsed = ReferrersIndex.Parse(Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"manifests\":[{entry}]}}"))!;
        Assert.Equal(A, Assert.Single(parsed).Digest);
        Assert.Equal("application/spdx+json", parsed[0].ArtifactType);
        Assert.Contains(entry, Encoding.UTF8.GetString(ReferrersIndex.Write(parsed)));
    }

    [Fact]
    public void Write_FiltersByExactArtifactType_KeepsOrder_AndListsEachDigestOnce()
    {
        ReferrerDescriptor[] descriptors =
        [
            new(B, "application/spdx+json", $"{{\"mediaType\":\"m\",\"digest\":\"{B}\"}}"),
            new(A, "application/vnd.in-toto+json", $"{{\"mediaType\":\"m\",\"digest\":\"{A}\"}}"),
            new(B, "application/spdx+json", $"{{\"mediaType\":\"m\",\"digest\":\"{B}\"}}"),
        ];
        Assert.Equal([B, A], Digests(ReferrersIndex.Write(descriptors)));
        Assert.Equal([A], Digests(ReferrersIndex.Write(descriptors, "application/vnd.in-toto+json")));
        Assert.Empty(Digests(ReferrersIndex.Write(descriptors, "APPLICATION/SPDX+JSON")));
        Assert.Empty(Digests(ReferrersIndex.Write([])));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"manifests\"")]
    [InlineData("{\"manifests\":{}}")]
    [InlineData("{\"manifests\":[")]
    [InlineData("{\"config\":{},\"layers\":[]}")]
    public void WhatIsNoIndex_ReadsAsNull(string content) => Assert.Null(ReferrersIndex.Parse(Encoding.UTF8.GetBytes(content)));

    [Theory]
    [InlineData("{\"manifests\":[1,\"x\",null,{}]}")]
    [InlineData("{\"manifests\":[{\"digest\":\"sha256:short\",\"mediaType\":\"m\"}]}")]
    [InlineData("{\"manifests\":[{\"digest\":\"" + A + "\"}]}")]
    [InlineData("{\"manifests\":[{\"digest\":\"" + A + "\",\"mediaType\":7}]}")]
    public void EntriesWithoutADigestAndMediaType_AreLeftOut(string content) =>
        Assert.Empty(ReferrersIndex.Parse(Encoding.UTF8.GetBytes(content))!);

    [Fact]
    public void InvalidUtf8_ReadsAsNull_NotAnException()
    {
        byte[] content = [.. "{\"manifests\":[{\"mediaType\":\""u8, 0xC3, 0x28, .. Encoding.UTF8.GetBytes($"\",\"digest\":\"{A}\"}}]}}")];
        var parsed = ReferrersIndex.Parse(content);
        Assert.True(parsed is null || parsed.Count == 0);
    }

    [Theory]
    [InlineData("application/spdx+json", true)]
    [InlineData("application/vnd.dev.cosign.simplesigning.v1+json", true)]
    [InlineData("application/vnd.oci.empty.v1+json", true)]
    [InlineData("", false)]
    [InlineData("spdx", false)]
    [InlineData("a/b/c", false)]
    [InlineData("text/plain; charset=utf-8", false)]
    [InlineData("application/spdx+json\n", false)]
    [InlineData("/json", false)]
    [InlineData("application/", false)]
    [InlineData("application/é", false)]
    public void ArtifactTypes_AreMediaTypes(string value, bool valid) => Assert.Equal(valid, ReferrersIndex.IsValidArtifactType(value));

    private static string[] Digests(byte[] index)
    {
        using var json = JsonDocument.Parse(index);
        Assert.Equal(2, json.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("application/vnd.oci.image.index.v1+json", json.RootElement.GetProperty("mediaType").GetString());
        return [.. json.RootElement.GetProperty("manifests").EnumerateArray().Select(m => m.GetProperty("digest").GetString()!)];
    }
}
