using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// Builds real images with <c>umoci</c> (no container engine needed) and pushes them to the test upstream
/// with <c>skopeo</c>, in the shapes real images have: single-arch OCI, an OCI index with an attestation
/// manifest, a Docker manifest list, Docker media types, and a layer of more than 100 MB.
/// </summary>
public static class TestImages
{
    public const string Tiny = "tiny";
    public const string MultiArchIndex = "multi";
    public const string DockerManifestList = "multilist";
    public const string Big = "big";
    public const string Namespaced = "team/app";
    public const int BigLayerBytes = 110 * 1024 * 1024;

    public static async Task BuildAndPushAsync(string directory, UpstreamRegistry registry)
    {
        var layout = Path.Combine(directory, "layout");
        await Umoci("init", "--layout", layout);
        await NewImageAsync(layout, "amd64", "amd64", directory, ("hello.txt", Text("hello from amd64\n")), ("etc/data.bin", Pseudorandom(1, 300_000)));
        await NewImageAsync(layout, "arm64", "arm64", directory, ("hello.txt", Text("hello from arm64\n")));
        await NewImageAsync(layout, "attestation", "unknown", directory, ("attestation.json", Text("{\"predicate\":{}}\n")));
        await NewImageAsync(layout, "big", "amd64", directory, ("big.bin", Pseudorandom(7, BigLayerBytes)));
        await WriteIndexAsync(layout, "multi");

        await PushAsync(registry, layout, "amd64", $"library/{Tiny}:latest");
        await PushAsync(registry, layout, "amd64", $"{Namespaced}:1.0");
        await PushAsync(registry, layout, "multi", $"library/{MultiArchIndex}:latest", all: true);
        await PushAsync(registry, layout, "big", $"library/{Big}:latest", dockerFormat: true);
        // A Docker manifest list: the same platforms without the attestation entry, converted by skopeo.
        await WriteIndexAsync(layout, "multi-plain", withAttestation: false);
        await PushAsync(registry, layout, "multi-plain", $"library/{DockerManifestList}:latest", all: true, dockerFormat: true);
    }

    private static async Task NewImageAsync(string layout, string tag, string architecture, string scratch,
        params (string Path, byte[] Content)[] files)
    {
        await Umoci("new", "--image", $"{layout}:{tag}");
        foreach (var (path, content) in files)
        {
            var source = Path.Combine(scratch, $"{tag}-{Path.GetFileName(path)}");
            await File.WriteAllBytesAsync(source, content);
            File.SetLastWriteTimeUtc(source, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            await Umoci("insert", "--image", $"{layout}:{tag}", "--history.created", "2024-01-01T00:00:00Z", source, "/" + path);
        }

        await Umoci("config", "--image", $"{layout}:{tag}", "--architecture", architecture, "--os", architecture == "unknown" ? "unknown" : "linux",
            "--created", "2024-01-01T00:00:00Z", "--history.created", "2024-01-01T00:00:00Z");
    }

    /// <summary>umoci cannot write an index, so it is written here: one entry per platform, plus a Docker-style attestation.</summary>
    private static async Task WriteIndexAsync(string layout, string tag, bool withAttestation = true)
    {
        var indexPath = Path.Combine(layout, "index.json");
        var layoutIndex = JsonNode.Parse(await File.ReadAllTextAsync(indexPath))!.AsObject();
        JsonObject EntryFor(string refName) => layoutIndex["manifests"]!.AsArray()
            .Select(m => m!.AsObject())
            .Single(m => m["annotations"]?["org.opencontainers.image.ref.name"]?.GetValue<string>() == refName);

        JsonObject Platform(string refName, string arch, string os, JsonObject? annotations = null)
        {
            var source = EntryFor(refName);
            var entry = new JsonObject
            {
                ["mediaType"] = source["mediaType"]!.GetValue<string>(),
                ["digest"] = source["digest"]!.GetValue<string>(),
                ["size"] = source["size"]!.GetValue<long>(),
                ["platform"] = new JsonObject { ["architecture"] = arch, ["os"] = os },
            };
            if (annotations is not null)
            {
                entry["annotations"] = annotations;
            }

            return entry;
        }

        var manifests = new JsonArray(Platform("amd64", "amd64", "linux"), Platform("arm64", "arm64", "linux"));
        if (withAttestation)
        {
            manifests.Add(Platform("attestation", "unknown", "unknown", new JsonObject
            {
                ["vnd.docker.reference.type"] = "attestation-manifest",
                ["vnd.docker.reference.digest"] = EntryFor("amd64")["digest"]!.GetValue<string>(),
            }));
        }

        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = manifests,
            ["annotations"] = new JsonObject { ["org.example.unknown-field-kept"] = "yes" },
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(index);
        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        await File.WriteAllBytesAsync(Path.Combine(layout, "blobs", "sha256", hex), bytes);
        layoutIndex["manifests"]!.AsArray().Add(new JsonObject
        {
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["digest"] = $"sha256:{hex}",
            ["size"] = bytes.Length,
            ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
        });
        await File.WriteAllTextAsync(indexPath, layoutIndex.ToJsonString());
    }

    /// <summary>Pushes the single-arch test image to another registry, with that registry's account.</summary>
    public static Task PushTinyAsync(string directory, UpstreamRegistry registry, string target, string credentials) =>
        PushAsync(registry, Path.Combine(directory, "layout"), "amd64", target, credentials: credentials);

    /// <summary>
    /// Pushes the arm64 image of the test layout (content unlike the tiny amd64 image's) to <paramref name="target"/>: the same
    /// name with other content, as two registries or two pushes of one tag have it.
    /// </summary>
    public static Task PushOtherTinyAsync(string directory, UpstreamRegistry registry, string target, string? credentials = null) =>
        PushAsync(registry, Path.Combine(directory, "layout"), "arm64", target, credentials: credentials);

    /// <summary>
    /// Builds an image no other test has (one layer of fresh random bytes) in a layout of its own and pushes it, so none of
    /// its blobs is in any proxy's store yet: every one must come from upstream.
    /// </summary>
    public static async Task PushFreshAsync(string directory, UpstreamRegistry registry, string target, string? credentials = null)
    {
        var layout = Path.Combine(directory, "fresh-layout");
        if (!Directory.Exists(layout))
        {
            await Umoci("init", "--layout", layout);
        }

        var tag = $"fresh-{Guid.NewGuid():N}";
        await NewImageAsync(layout, tag, "amd64", directory, ($"{tag}.bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(200_000)));
        await PushAsync(registry, layout, tag, target, credentials: credentials);
    }

    private static Task PushAsync(UpstreamRegistry registry, string layout, string tag, string target, bool all = false, bool dockerFormat = false,
        string? credentials = null)
    {
        List<string> arguments = ["copy", "--dest-tls-verify=false", "--retry-times", "2"];
        if (credentials is not null)
        {
            arguments.AddRange(["--dest-creds", credentials]);
        }

        if (all)
        {
            arguments.Add("--all");
        }

        if (dockerFormat)
        {
            arguments.AddRange(["--format", "v2s2"]);
        }

        arguments.AddRange([$"oci:{layout}:{tag}", $"docker://{registry.Host}/{target}"]);
        return Processes.RunAsync("skopeo", arguments, TimeSpan.FromMinutes(5)).ContinueWith(t => t.Result.EnsureSuccess($"push {target}"));
    }

    private static async Task Umoci(params string[] arguments) =>
        (await Processes.RunAsync("umoci", arguments, TimeSpan.FromMinutes(5))).EnsureSuccess($"umoci {arguments[0]}");

    private static byte[] Text(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    /// <summary>Deterministic bytes that do not compress, so a layer stays as large as its content.</summary>
    private static byte[] Pseudorandom(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
