using System.Text;
using DependencyProxy.Caching;
using DependencyProxy.Oci;

namespace DependencyProxy.Tests.Caching;

public sealed class ManifestMediaTypeTests
{
    [Theory]
    [InlineData("application/vnd.docker.distribution.manifest.v2+json", "{}", "application/vnd.docker.distribution.manifest.v2+json")]
    [InlineData("application/json", "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}",
        "application/vnd.oci.image.index.v1+json")]
    [InlineData(null, "{\"schemaVersion\":2,\"manifests\":[]}", "application/vnd.oci.image.index.v1+json")]
    [InlineData("text/plain", "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}", "application/vnd.oci.image.manifest.v1+json")]
    [InlineData(null, "{\"schemaVersion\":1,\"fsLayers\":[]}", "application/vnd.docker.distribution.manifest.v1+json")]
    public void MediaType_ComesFromTheHeader_ThenTheDocument_ThenItsShape(string? header, string json, string expected)
    {
        Assert.Equal(expected, ManifestMediaType.Detect(header, Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("<html></html>")]
    [InlineData("[]")]
    [InlineData("{\"hello\":1}")]
    [InlineData("{\"mediaType\":\"text/html\"}")]
    [InlineData("")]
    public void AnythingElse_IsNotAManifest(string body)
    {
        Assert.Null(ManifestMediaType.Detect("text/html", Encoding.UTF8.GetBytes(body)));
    }

    /// <summary>Found by bench/fuzz: invalid UTF-8 inside a string, and numbers no int holds, once escaped as other exceptions (a 500).</summary>
    [Theory]
    [InlineData("eyJzY2lvbiI6MiwibWVkaWFUeXBlIjoiYXBwbGljYXRpb25/dm5km29jaS5pbWFnZS5tYW5pZmVzdC52MStqc29uIiwiY29uIjoiYXNvbiJ9")]
    [InlineData("eyJzY2hlbWFWZXJzaW9uIjoxZTk5fQ==")]
    [InlineData("eyJzY2hlbWFWZXJzaW9uIjoxLjV9")]
    public void MalformedDocumentsFromTheFuzzer_AreNotManifests_NotCrashes(string base64)
    {
        Assert.Null(ManifestMediaType.Detect(null, Convert.FromBase64String(base64)));
    }

    /// <summary>Found by the outside review of issue 15: a 200 with a manifest Content-Type and a broken body was cached.</summary>
    [Theory]
    [InlineData("application/vnd.oci.image.manifest.v1+json", "{not json")]
    [InlineData("application/vnd.docker.distribution.manifest.v2+json", "<html>busy</html>")]
    [InlineData("application/vnd.oci.image.index.v1+json", "[]")]
    [InlineData("application/vnd.oci.image.manifest.v1+json", "")]
    public void ABrokenBody_IsNoManifest_WhateverItsContentType(string header, string body)
    {
        Assert.Null(ManifestMediaType.Detect(header, Encoding.UTF8.GetBytes(body)));
    }
}
