using DependencyProxy.EndToEnd.Infrastructure;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// HTTPS with a PEM certificate and key (<c>--Kestrel:Certificates:Default:Path/KeyPath</c>) signed by a CA made in the
/// test, trusted by Docker Engine, podman and skopeo only through their certificate folders: no insecure flag anywhere.
/// </summary>
public sealed partial class DockerEngineTests
{
    /// <summary>
    /// dockerd treats every 127.0.0.0/8 registry as insecure and then skips certificate checks, so dockerd is pointed at
    /// this machine's own non-loopback address when it has one (traffic still never leaves the machine); skopeo checks
    /// certificates on loopback too.
    /// </summary>
    [Fact]
    public async Task Https_WithATestCa_DockerPodmanAndSkopeoTrustItThroughTheirCertFolders_AndARenewedCertificateIsServedWithoutRestart()
    {
        var (_, engine) = await docker.StartAsync(upstream);
        using var ca = new TestCertificateAuthority();
        var work = Directory.CreateDirectory(Path.Combine(upstream.WorkDirectory, $"tls-{Guid.NewGuid():N}")).FullName;
        var address = TestCertificateAuthority.NonLoopbackAddress();
        string[] names = address is null ? ["127.0.0.1", "localhost"] : ["127.0.0.1", "localhost", address];
        var (certificate, key) = ca.Issue(0x1001, names);
        var certificatePath = Path.Combine(work, "tls.crt");
        var keyPath = Path.Combine(work, "tls.key");
        await File.WriteAllTextAsync(certificatePath, certificate);
        await File.WriteAllTextAsync(keyPath, key);
        var httpsPort = Processes.FreePort();
        var data = Directory.CreateDirectory(Path.Combine(work, "data")).FullName;
        await using var proxy = new ProxyServer(data, upstream.Registry.Url,
            $"--Kestrel:Certificates:Default:Path={certificatePath}", $"--Kestrel:Certificates:Default:KeyPath={keyPath}")
        {
            ExtraUrls = string.Join(';', new[] { "127.0.0.1", address }.OfType<string>().Select(ip => $"https://{ip}:{httpsPort}")),
        };
        await proxy.StartAsync();
        (await proxy.RunCliAsync("groups", "create", "e2e", "--visibility", "public")).EnsureSuccess("groups create");
        var image = $"e2e/dependency_proxy/containers/{TestImages.Tiny}:latest";

        // skopeo: refused without the CA, accepted with it in --cert-dir.
        var certDirectory = Directory.CreateDirectory(Path.Combine(work, "certs")).FullName;
        await File.WriteAllTextAsync(Path.Combine(certDirectory, "ca.crt"), ca.CertificatePem);
        var untrusted = await Processes.RunAsync("skopeo", ["inspect", "--retry-times", "0", $"docker://127.0.0.1:{httpsPort}/{image}"]);
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.Contains("certificate signed by unknown authority", untrusted.Output);
        var inspect = (await Processes.RunAsync("skopeo", ["inspect", "--cert-dir", certDirectory, $"docker://127.0.0.1:{httpsPort}/{image}"]))
            .EnsureSuccess("skopeo inspect over https with the test CA");
        Assert.Contains("\"Architecture\": \"amd64\"", inspect.Output);

        // podman: the same folder through --cert-dir (its default is /etc/containers/certs.d/HOST:PORT/), its own storage.
        var runRoot = Path.Combine("/tmp", $"pr-{Guid.NewGuid():N}"[..15]);
        string[] storage = ["--root", Path.Combine(work, "podman"), "--runroot", runRoot, "--storage-driver", "vfs"];
        try
        {
            (await Processes.RunAsync("podman", [.. storage, "pull", "--cert-dir", certDirectory, $"127.0.0.1:{httpsPort}/{image}"], TimeSpan.FromMinutes(5)))
                .EnsureSuccess("podman pull over https with the test CA");
        }
        finally
        {
            // Its root lies under the work directory, which goes with the fixture; the run root is podman's lock files.
            if (Directory.Exists(runRoot))
            {
                Directory.Delete(runRoot, recursive: true);
            }
        }

        // Docker Engine: /etc/docker/certs.d/HOST:PORT/ca.crt, as its documentation says; read on every pull.
        var dockerHost = $"{address ?? "127.0.0.1"}:{httpsPort}";
        var dockerCerts = Path.Combine("/etc/docker/certs.d", dockerHost);
        var cli = engine.NewClient();
        try
        {
            if (address is not null)
            {
                var refused = await cli.PullAsync($"{dockerHost}/{image}");
                Assert.NotEqual(0, refused.ExitCode);
                Assert.Contains("certificate signed by unknown authority", refused.Output);
            }

            Directory.CreateDirectory(dockerCerts);
            await File.WriteAllTextAsync(Path.Combine(dockerCerts, "ca.crt"), ca.CertificatePem);
            (await cli.LoginAsync(dockerHost, "root", ProxyServer.RootToken)).EnsureSuccess("docker login over https");
            (await cli.PullAsync($"{dockerHost}/{image}")).EnsureSuccess("docker pull over https");
            Assert.Equal("amd64", await cli.InspectAsync($"{dockerHost}/{image}", "{{.Architecture}}"));
        }
        finally
        {
            Directory.Delete(dockerCerts, recursive: true);
        }

        // Rotation: new files (a new key and serial, the same CA) replace the old ones by rename, as renewal tools do.
        Assert.Equal("1001", await TestCertificateAuthority.PresentedSerialAsync("127.0.0.1", httpsPort));
        var (renewed, renewedKey) = ca.Issue(0x2002, names);
        await File.WriteAllTextAsync(keyPath + ".new", renewedKey);
        await File.WriteAllTextAsync(certificatePath + ".new", renewed);
        File.Move(keyPath + ".new", keyPath, overwrite: true);
        File.Move(certificatePath + ".new", certificatePath, overwrite: true);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string serial;
        while ((serial = await TestCertificateAuthority.PresentedSerialAsync("127.0.0.1", httpsPort)) != "2002" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Equal("2002", serial);
        Assert.True(proxy.IsRunning);
        (await Processes.RunAsync("skopeo", ["inspect", "--cert-dir", certDirectory, $"docker://127.0.0.1:{httpsPort}/{image}"]))
            .EnsureSuccess("skopeo inspect after the certificate was renewed");
        Assert.Contains("Serving the new certificate", proxy.Log());
    }

    /// <summary>A certificate the server cannot serve stops it at start with the key and file named, not a stack trace.</summary>
    [Theory]
    [InlineData("missing-key", "Kestrel:Certificates:Default:KeyPath names")]
    [InlineData("missing-certificate", "Kestrel:Certificates:Default:Path names")]
    [InlineData("other-key", "does not match the certificate in")]
    [InlineData("certificate-as-key", "holds no PEM private key")]
    [InlineData("garbage-certificate", "holds no PEM certificate")]
    public async Task Https_WithAKeyOrCertificateThatCannotBeServed_RefusesToStart_NamingTheFile(string fault, string reason)
    {
        using var ca = new TestCertificateAuthority();
        var work = Directory.CreateDirectory(Path.Combine(upstream.WorkDirectory, $"tls-bad-{Guid.NewGuid():N}")).FullName;
        var (certificate, key) = ca.Issue(1, "127.0.0.1");
        var (_, otherKey) = ca.Issue(2, "127.0.0.1");
        var certificatePath = Path.Combine(work, "tls.crt");
        var keyPath = Path.Combine(work, "tls.key");
        await File.WriteAllTextAsync(certificatePath, fault == "garbage-certificate" ? "not a certificate\0\u202e" : certificate);
        await File.WriteAllTextAsync(keyPath, fault switch { "other-key" => otherKey, "certificate-as-key" => certificate, _ => key });
        if (fault == "missing-key")
        {
            File.Delete(keyPath);
        }

        if (fault == "missing-certificate")
        {
            File.Delete(certificatePath);
        }

        var result = await Processes.RunAsync("dotnet",
            [ProxyServer.ServerDll, "--urls", $"https://127.0.0.1:{Processes.FreePort()}", $"--DependencyProxy:DataDirectory={Path.Combine(work, "data")}",
                $"--Kestrel:Certificates:Default:Path={certificatePath}", $"--Kestrel:Certificates:Default:KeyPath={keyPath}"],
            TimeSpan.FromMinutes(1));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("The server did not start", result.Output);
        Assert.Contains(reason, result.Output);
        Assert.Contains(fault == "missing-certificate" || fault == "garbage-certificate" ? certificatePath : keyPath, result.Output);
        Assert.DoesNotContain("   at ", result.Output);
        // Refused before anything was created.
        Assert.False(Directory.Exists(Path.Combine(work, "data")));
    }
}
