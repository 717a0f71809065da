using System.Text;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>An image put into a <see cref="FakeUpstream"/>: a config blob, layers, and a manifest that references them.</summary>
public sealed record TestImage(string ManifestDigest, byte[] Manifest, string MediaType, string ConfigDigest, IReadOnlyList<string> LayerDigests,
    IReadOnlyList<byte[]> Layers)
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    public static TestImage Add(FakeUpstream upstream, string repository, string tag, params int[] layerSizes)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"{repository}:{tag}\"}}");
        var configDigest = upstream.AddBlob(config);
        var layers = layerSizes.Select((size, i) => Deterministic(size, HashCode.Combine(repository, tag, i))).ToList();
        var layerDigests = layers.Select(upstream.AddBlob).ToList();
        var layerJson = string.Join(",", layers.Select((l, i) =>
            $"{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{layerDigests[i]}\",\"size\":{l.Length}}}"));
        // Deliberately odd spacing and an unknown field: the proxy must keep bytes exactly as they came.
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2, \"mediaType\":\"{OciManifest}\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\"," +
            $"\"digest\":\"{configDigest}\",\"size\":{config.Length}}},\"layers\":[{layerJson}],\"x-unknown\":  {{\"kept\":true}}}}");
        var digest = upstream.AddManifest(repository, tag, manifest, OciManifest);
        return new TestImage(digest, manifest, OciManifest, configDigest, layerDigests, layers);
    }

    public static byte[] Deterministic(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
