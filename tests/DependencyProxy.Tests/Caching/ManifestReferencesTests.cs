using System.Text;
using DependencyProxy.Caching;

namespace DependencyProxy.Tests.Caching;

/// <summary>Manifests are upstream's bytes: whatever they hold, reading their references never throws, and odd parts are left out.</summary>
public sealed class ManifestReferencesTests
{
    private const string Layer = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Config = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [Fact]
    public void AnImage_ReferencesItsConfigAndLayers_AndSumsTheirSizes()
    {
        var content = ManifestReferences.Parse(Encoding.UTF8.GetBytes(
            $"{{\"config\":{{\"digest\":\"{Config}\",\"size\":10}},\"layers\":[{{\"digest\":\"{Layer}\",\"size\":32}},{{\"digest\":\"nope\",\"size\":5}},7]}}"));
        Assert.NotNull(content);
        Assert.False(content.IsIndex);
        Assert.Equal([Config, Layer], content.Blobs);
        Assert.Equal(42, content.ContentBytes);
    }

    [Fact]
    public void AnIndex_ListsItsPlatforms_AndMarksAttestations()
    {
        var content = ManifestReferences.Parse(Encoding.UTF8.GetBytes($$$"""
            {"manifests":[
              {"digest":"{{{Layer}}}","platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
              {"digest":"{{{Config}}}","platform":{"os":"unknown","architecture":"unknown"},"annotations":{"vnd.docker.reference.type":"attestation-manifest"}},
              {"digest":"sha256:zz","platform":{"os":"linux"}},
              {"digest":"{{{Layer}}}","platform":{"os":{"nested":1},"architecture":"{{{new string('x', 500)}}}"}}
            ]}
            """));
        Assert.NotNull(content);
        Assert.True(content.IsIndex);
        Assert.Equal(
            [new PlatformReference(Layer, "linux/arm64/v8"), new PlatformReference(Config, "unknown/unknown", true), new PlatformReference(Layer, "unknown")],
            content.Platforms);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"manifest\"")]
    [InlineData("{\"manifests\":")]
    [InlineData("{\"config\":\"sha256:x\",\"layers\":{\"size\":\"big\"}}")]
    [InlineData("{\"layers\":[{\"digest\":7,\"size\":-5}]}")]
    public void OddDocuments_ReadAsNothing_OrAsNoReferences(string json)
    {
        var content = ManifestReferences.Parse(Encoding.UTF8.GetBytes(json));
        Assert.True(content is null || (content.Blobs.Count == 0 && content.Platforms.Count == 0 && content.ContentBytes == 0));
    }

    [Fact]
    public void InvalidUtf8_AndDeepNesting_AreNotManifests()
    {
        var oddName = ManifestReferences.Parse([(byte)'{', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        Assert.True(oddName is null || oddName.Blobs.Count == 0);
        Assert.Null(ManifestReferences.Parse([.. Encoding.UTF8.GetBytes("{\"layers\":[{\"digest\":\""), 0xff, 0xfe, .. Encoding.UTF8.GetBytes("\",\"size\":1}]}")]));
        Assert.Null(ManifestReferences.Parse(Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000))));
        var badDigest = Encoding.UTF8.GetBytes("{\"manifests\":[{\"digest\":\"sha256:\\udc00\"}]}");
        Assert.Empty(ManifestReferences.Parse(badDigest)?.Platforms ?? []);
    }
}
