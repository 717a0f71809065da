using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// Shared by the end-to-end tests: the token issuer, the upstream registry, and the test images pushed to it.
/// Built once per run; every test starts its own proxy with its own data directory.
/// </summary>
public sealed class UpstreamFixture : IAsyncLifetime
{
    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), $"dp-e2e-{Guid.NewGuid():N}");

    public TokenIssuer Issuer { get; private set; } = null!;

    public UpstreamRegistry Registry { get; private set; } = null!;

    /// <summary>The account the second registry (standing in for ghcr.io) demands.</summary>
    public const string SecondRegistryCredentials = "ghuser:ghpass-123";

    /// <summary>A second registry, private: its token service only answers <see cref="SecondRegistryCredentials"/>.</summary>
    public UpstreamRegistry SecondRegistry { get; private set; } = null!;

    /// <summary>The second registry's token service (it records who asked, for the tests of whose account went where).</summary>
    public TokenIssuer SecondIssuer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(WorkDirectory);
        Issuer = await TokenIssuer.StartAsync(Path.Combine(WorkDirectory, "issuer.pem"));
        Registry = await UpstreamRegistry.StartAsync(Path.Combine(WorkDirectory, "upstream"), Issuer);
        await TestImages.BuildAndPushAsync(Path.Combine(WorkDirectory, "images"), Registry);
        SecondIssuer = await TokenIssuer.StartAsync(Path.Combine(WorkDirectory, "issuer2.pem"), SecondRegistryCredentials);
        SecondRegistry = await UpstreamRegistry.StartAsync(Path.Combine(WorkDirectory, "upstream2"), SecondIssuer);
        await TestImages.PushTinyAsync(Path.Combine(WorkDirectory, "images"), SecondRegistry, "owner/tool:1.0", SecondRegistryCredentials);
    }

    /// <summary>A new proxy process in front of the upstream, with a fresh data directory and the public group <c>e2e</c>.</summary>
    public async Task<ProxyServer> StartProxyAsync(string group = "e2e", params string[] extraArguments)
    {
        var data = Path.Combine(WorkDirectory, $"proxy-{Guid.NewGuid():N}", "data");
        Directory.CreateDirectory(data);
        var proxy = new ProxyServer(data, Registry.Url, extraArguments);
        // As an operator does: the first start creates the instance, then commands work on it.
        await proxy.StartAsync();
        (await proxy.RunCliAsync("groups", "create", group, "--visibility", "public")).EnsureSuccess("groups create");
        return proxy;
    }

    /// <summary>The manifest the upstream itself serves for a tag, asked for with all four media types.</summary>
    public Task<(string Digest, byte[] Content)> UpstreamManifestAsync(string repository, string reference) =>
        ManifestAtAsync(Registry, Issuer, null, repository, reference);

    /// <summary>The manifest the second (private) registry serves for a tag, asked for with its account.</summary>
    public Task<(string Digest, byte[] Content)> SecondRegistryManifestAsync(string repository, string reference) =>
        ManifestAtAsync(SecondRegistry, SecondIssuer, SecondRegistryCredentials, repository, reference);

    private static async Task<(string Digest, byte[] Content)> ManifestAtAsync(UpstreamRegistry registry, TokenIssuer issuer, string? credentials,
        string repository, string reference)
    {
        using var http = new HttpClient();
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, $"{issuer.Realm}?service={TokenIssuer.Service}&scope=repository:{repository}:pull");
        if (credentials is not null)
        {
            tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
        }

        using var tokenResponse = (await http.SendAsync(tokenRequest)).EnsureSuccessStatusCode();
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{registry.Url}/v2/{repository}/manifests/{reference}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.ParseAdd(type);
        }

        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var content = await response.Content.ReadAsByteArrayAsync();
        return ("sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)), content);
    }

    public static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
    ];

    public async Task DisposeAsync()
    {
        await SecondRegistry.DisposeAsync();
        await SecondIssuer.DisposeAsync();
        await Registry.DisposeAsync();
        await Issuer.DisposeAsync();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Every end-to-end class: one upstream, and one Ceph gateway (started only if a class uses S3).</summary>
[CollectionDefinition(Name)]
public sealed class UpstreamCollection : ICollectionFixture<UpstreamFixture>, ICollectionFixture<CephGateway>
{
    public const string Name = "upstream";
}
