using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using DependencyProxy.EndToEnd.Infrastructure;
using static DependencyProxy.EndToEnd.Infrastructure.PullClients;

namespace DependencyProxy.EndToEnd;

/// <summary>The container image: loaded into podman and run as it ships, and its archive read as a registry would store it.</summary>
public sealed partial class ReleaseTests
{
    [Fact]
    public async Task Image_LoadedIntoPodman_RunsAsItsOwnUser_KeepsDataInItsVolume_AndServesSkopeoAndDocker()
    {
        var folder = release.NewFolder("image");
        // podman refuses a run root longer than 50 characters.
        var runRoot = Path.Combine("/tmp", $"pr-rel-{Guid.NewGuid():N}"[..15]);
        string[] podman = ["--root", Path.Combine(folder, "storage"), "--runroot", runRoot, "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs"];
        var name = $"dp-release-{Guid.NewGuid():N}"[..20];
        try
        {
            var watch = Stopwatch.StartNew();
            var load = (await Processes.RunAsync("podman", [.. podman, "load", "--input", release.ImageArchive], TimeSpan.FromMinutes(5))).EnsureSuccess("podman load");
            output.WriteLine($"podman load: {watch.Elapsed}");
            var image = load.Output.Split("Loaded image:", StringSplitOptions.TrimEntries)[^1].Split('\n')[0].Trim();
            Assert.EndsWith($"dependency-proxy:{release.Version}", image);

            var config = JsonDocument.Parse((await Processes.RunAsync("podman", [.. podman, "image", "inspect", image])).EnsureSuccess("inspect").Output)
                .RootElement[0].GetProperty("Config");
            Assert.Equal("10001:10001", config.GetProperty("User").GetString());
            Assert.Contains("ASPNETCORE_HTTP_PORTS=5000", config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
            Assert.True(config.GetProperty("Volumes").TryGetProperty("/var/lib/dependency-proxy", out _));
            Assert.True(config.GetProperty("ExposedPorts").TryGetProperty("5000/tcp", out _));

            // The host's network, so the container reaches the test upstream and its token realm on 127.0.0.1; the port is
            // moved off 5000 by the same variable the image sets, since another test may hold 5000.
            var port = Processes.FreePort();
            watch.Restart();
            (await Processes.RunAsync("podman", [.. podman, "run", "--detach", "--name", name, "--runtime", "runc", "--network", "host",
                "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768",
                "--env", $"ASPNETCORE_HTTP_PORTS={port}", "--env", $"DependencyProxy__DockerHub__Url={upstream.Registry.Url}",
                "--env", $"DependencyProxy__InitialRootToken={ProxyServer.RootToken}", image], TimeSpan.FromMinutes(2))).EnsureSuccess("podman run");
            var host = $"127.0.0.1:{port}";
            await Processes.WaitForHttpAsync($"http://{host}/-/health", () => true, TimeSpan.FromSeconds(60));
            output.WriteLine($"podman run to /-/health: {watch.Elapsed}");

            var pid = (await Processes.RunAsync("podman", [.. podman, "inspect", "--format", "{{.State.Pid}}", name])).EnsureSuccess("inspect").Output.Trim();
            Assert.Equal("10001", ProcessUid(int.Parse(pid)));
            using (var api = new RestApi(host, ProxyServer.RootToken))
            {
                await api.PostAsync("groups", new { name = "e2e", path = "e2e", visibility = "public" });
            }

            var pulled = Path.Combine(folder, "pulled");
            (await SkopeoCopyAsync($"{host}/e2e/dependency_proxy/containers/{TestImages.Tiny}:latest", pulled)).EnsureSuccess("skopeo copy through the container");
            AssertBlobsMatchTheirNames(pulled);

            // Docker Engine too, the client most people point at it (127.0.0.0/8 counts as an insecure registry).
            await using (var engine = await DockerEngine.StartAsync(host))
            {
                var docker = engine.NewClient();
                var reference = $"{host}/e2e/dependency_proxy/containers/{TestImages.Tiny}:latest";
                (await docker.PullAsync(reference)).EnsureSuccess("docker pull through the container");
                Assert.StartsWith("sha256:", await docker.InspectAsync(reference, "{{.Id}}"));
            }

            // A restart keeps the group and what it cached: both live in the volume, not in the container's layer.
            (await Processes.RunAsync("podman", [.. podman, "restart", name], TimeSpan.FromMinutes(2))).EnsureSuccess("podman restart");
            await Processes.WaitForHttpAsync($"http://{host}/-/health", () => true, TimeSpan.FromSeconds(60));
            using (var api = new RestApi(host, ProxyServer.RootToken))
            {
                var manifests = await api.GetAsync("groups/e2e/dependency_proxy/manifests");
                Assert.Contains(manifests.EnumerateArray(), m => m.GetProperty("file_name").GetString() == $"library/{TestImages.Tiny}:latest");
            }

            var volume = (await Processes.RunAsync("podman", [.. podman, "inspect", "--format",
                "{{range .Mounts}}{{if eq .Destination \"/var/lib/dependency-proxy\"}}{{.Source}}{{end}}{{end}}", name])).EnsureSuccess("inspect").Output.Trim();
            Assert.NotEqual("", volume);
            Assert.True(File.Exists(Path.Combine(volume, "dependency-proxy.db")), $"no database in the volume {volume}");
        }
        finally
        {
            var logs = await Processes.RunAsync("podman", [.. podman, "logs", name]);
            output.WriteLine(logs.Output.Length > 4000 ? logs.Output[^4000..] : logs.Output);
            await Processes.RunAsync("podman", [.. podman, "rm", "--force", "--volumes", name]);
            try
            {
                Directory.Delete(runRoot, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task Image_IsUnder120MbCompressed_HasNoSetUserIdProgram_AndIsLabelledWithItsVersionAndCommit()
    {
        var blobs = new Dictionary<string, byte[]>();
        await using (var archive = new TarReader(File.OpenRead(release.ImageArchive)))
        {
            while (await archive.GetNextEntryAsync() is { } entry)
            {
                // Everything but layers is small JSON; layers are only measured, from the manifest.
                if (entry.DataStream is not null && entry.Length < 1024 * 1024)
                {
                    using var copy = new MemoryStream();
                    await entry.DataStream.CopyToAsync(copy);
                    blobs[entry.Name.TrimStart('.', '/')] = copy.ToArray();
                }
            }
        }

        JsonElement Blob(JsonElement descriptor) =>
            JsonDocument.Parse(blobs[$"blobs/sha256/{descriptor.GetProperty("digest").GetString()!["sha256:".Length..]}"]).RootElement;
        var index = JsonDocument.Parse(blobs["index.json"]).RootElement;
        var manifest = Blob(index.GetProperty("manifests")[0]);
        var layers = manifest.GetProperty("layers").EnumerateArray().ToList();
        Assert.All(layers, l => Assert.EndsWith("tar+gzip", l.GetProperty("mediaType").GetString()));
        var compressed = layers.Sum(l => l.GetProperty("size").GetInt64()) + manifest.GetProperty("config").GetProperty("size").GetInt64();
        output.WriteLine($"image: {compressed / 1024.0 / 1024.0:F1} MB compressed in {layers.Count} layer(s)");
        Assert.InRange(compressed, 10 * 1024 * 1024, 120 * 1024 * 1024);

        // Its files: no set-user-id program, the program root's, the data volume its user's.
        var layer = $"blobs/sha256/{layers.Single().GetProperty("digest").GetString()!["sha256:".Length..]}";
        var files = new Dictionary<string, TarEntry>();
        await using (var archive = new TarReader(File.OpenRead(release.ImageArchive)))
        {
            while (await archive.GetNextEntryAsync() is { } entry)
            {
                if (entry.Name.TrimStart('.', '/') == layer)
                {
                    await using var gzip = new GZipStream(entry.DataStream!, CompressionMode.Decompress);
                    await using var rootfs = new TarReader(gzip);
                    while (await rootfs.GetNextEntryAsync() is { } file)
                    {
                        files[file.Name.TrimStart('.', '/').TrimEnd('/')] = file;
                    }
                }
            }
        }

        Assert.Empty(files.Values.Where(f => (f.Mode & (UnixFileMode.SetUser | UnixFileMode.SetGroup)) != 0 && f.EntryType != TarEntryType.Directory)
            .Select(f => f.Name));
        var program = files["opt/dependency-proxy/dependency-proxy"];
        Assert.Equal((0, 0), (program.Uid, program.Gid));
        Assert.True(program.Mode.HasFlag(UnixFileMode.OtherExecute));
        Assert.True(files.ContainsKey("opt/dependency-proxy/libe_sqlite3.so"));
        Assert.True(files.ContainsKey("etc/ssl/certs/ca-certificates.crt"));
        var volume = files["var/lib/dependency-proxy"];
        Assert.Equal((10001, 10001), (volume.Uid, volume.Gid));

        var labels = Blob(manifest.GetProperty("config")).GetProperty("config").GetProperty("Labels");
        Assert.Equal(release.Version, labels.GetProperty("org.opencontainers.image.version").GetString());
        Assert.Matches("^([0-9a-f]{40}|unknown)$", labels.GetProperty("org.opencontainers.image.revision").GetString()!);
    }
}
