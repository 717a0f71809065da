using DependencyProxy.Limits;

namespace DependencyProxy.Configuration;

/// <summary>The <c>DependencyProxy</c> configuration section. Key names are fixed: operators and scripts rely on them.</summary>
public sealed class ProxyOptions
{
    public const string Section = "DependencyProxy";

    /// <summary>Holds the SQLite database and the content store.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>The URL clients use to reach this server, for image prefixes; may be unset.</summary>
    public string? ExternalUrl { get; set; }

    public DockerHubOptions DockerHub { get; set; } = new();

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>
    /// Registries other than Docker Hub, each under a name of the operator's choosing
    /// (<c>DependencyProxy:Upstreams:ghcr:Enabled=true</c>) and addressed by its host in image paths
    /// (<c>…/containers/ghcr.io/owner/image</c>). Only these are ever contacted; the shipped appsettings.json lists
    /// common ones, switched off. Named rather than listed: list entries merge by index, which hides mistakes.
    /// </summary>
    public Dictionary<string, UpstreamRegistryOptions> Upstreams { get; set; } = [];

    /// <summary>
    /// The URL clients reach this server at: <see cref="ExternalUrl"/>, else the URL this request came in on. The Host
    /// header only shapes answers to the same client (realms, web_url); the server never contacts it.
    /// </summary>
    public string PublicBaseUrl(HttpRequest request) => ExternalUrl?.TrimEnd('/') ?? $"{request.Scheme}://{request.Host}";

    /// <summary>The host (and port) part of image names, from <see cref="ExternalUrl"/>: <c>proxy.example.com</c>.</summary>
    public string? ImageHost => Uri.TryCreate(ExternalUrl, UriKind.Absolute, out var uri) ? uri.Authority : null;

    public UpstreamTimeoutOptions Upstream { get; set; } = new();

    /// <summary>How long a registry token from <c>/jwt/auth</c> lives (GitLab: 15 minutes).</summary>
    public TimeSpan RegistryTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>When set on first start, root's personal access token (scopes api and read_registry); for automation.</summary>
    public string? InitialRootToken { get; set; }

    public AuthOptions Auth { get; set; } = new();

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    public CleanupOptions Cleanup { get; set; } = new();

    public MirrorOptions Mirror { get; set; } = new();

    public StorageOptions Storage { get; set; } = new();

    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>Connections, timeouts and request body sizes (<c>DependencyProxy:Limits</c>).</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>Manifests larger than this are refused; they are small JSON documents, never layers.</summary>
    public int MaxManifestBytes { get; set; } = 4 * 1024 * 1024;

    internal static IEnumerable<string> Validate(ProxyOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            yield return "DependencyProxy:DataDirectory must not be empty.";
        }

        if (!IsHttpUrl(options.DockerHub.Url))
        {
            yield return $"DependencyProxy:DockerHub:Url must be an absolute http or https URL (got '{options.DockerHub.Url}').";
        }

        foreach (var problem in ValidateRealmHosts("DependencyProxy:DockerHub:RealmHosts", options.DockerHub.RealmHosts))
        {
            yield return problem;
        }

        if (!string.IsNullOrEmpty(options.ExternalUrl) && !IsHttpUrl(options.ExternalUrl))
        {
            yield return $"DependencyProxy:ExternalUrl must be an absolute http or https URL (got '{options.ExternalUrl}').";
        }

        if (options.MaxManifestBytes < 4 * 1024 * 1024)
        {
            yield return "DependencyProxy:MaxManifestBytes must be at least 4194304 (4 MiB).";
        }

        if (options.RegistryTokenLifetime < TimeSpan.FromMinutes(1) || options.RegistryTokenLifetime > TimeSpan.FromDays(1))
        {
            yield return "DependencyProxy:RegistryTokenLifetime must be between 00:01:00 and 1.00:00:00.";
        }

        if (options.InitialRootToken is { Length: > 0 } token && (token.Length < 20 || !token.StartsWith("dpat-", StringComparison.Ordinal)))
        {
            yield return "DependencyProxy:InitialRootToken must start with 'dpat-' and be at least 20 characters long.";
        }

        if (options.Auth.MaxFailedLogins < 1 || options.Auth.FailedLoginWindow <= TimeSpan.Zero)
        {
            yield return "DependencyProxy:Auth:MaxFailedLogins must be at least 1 and FailedLoginWindow positive.";
        }

        if (options.Cleanup.Interval < TimeSpan.FromSeconds(1) || options.Cleanup.GracePeriod < TimeSpan.Zero)
        {
            yield return "DependencyProxy:Cleanup:Interval must be at least 00:00:01 and GracePeriod not negative.";
        }

        if (options.Database.Provider is not (DatabaseOptions.Sqlite or DatabaseOptions.PostgreSql))
        {
            yield return $"DependencyProxy:Database:Provider must be '{DatabaseOptions.Sqlite}' or '{DatabaseOptions.PostgreSql}' (got '{options.Database.Provider}').";
        }
        else if (options.Database.Provider == DatabaseOptions.PostgreSql && string.IsNullOrWhiteSpace(options.Database.ConnectionString))
        {
            yield return "DependencyProxy:Database:ConnectionString is required with the postgresql provider (e.g. Host=db;Database=proxy;Username=proxy;Password=…).";
        }

        if (options.Storage.MaxBytes is <= 0 || options.Storage.LowWaterPercent is < 1 or > 100 || options.Storage.MinFreeBytes < 0)
        {
            yield return "DependencyProxy:Storage:MaxBytes must be positive when set, LowWaterPercent between 1 and 100, and MinFreeBytes not negative.";
        }

        foreach (var problem in ValidateStorage(options.Storage))
        {
            yield return problem;
        }

        foreach (var problem in ValidateCluster(options))
        {
            yield return problem;
        }

        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Entries switched off (the shipped examples) are not checked: only enabled ones are ever used.
        foreach (var upstream in options.Upstreams.Values.Where(u => u.Enabled))
        {
            if (string.IsNullOrWhiteSpace(upstream.Host) || upstream.Host.Contains('/') || !hosts.Add(upstream.Host))
            {
                yield return $"DependencyProxy:Upstreams: host '{upstream.Host}' is empty, contains '/', or is listed twice.";
            }

            if (!IsHttpUrl(upstream.Url))
            {
                yield return $"DependencyProxy:Upstreams: the URL of '{upstream.Host}' must be an absolute http or https URL (got '{upstream.Url}').";
            }

            foreach (var problem in ValidateRealmHosts($"DependencyProxy:Upstreams: RealmHosts of '{upstream.Host}'", upstream.RealmHosts))
            {
                yield return problem;
            }
        }

        foreach (var problem in options.ForwardedHeaders.Validate())
        {
            yield return problem;
        }

        foreach (var problem in options.Upstream.Validate())
        {
            yield return problem;
        }

        foreach (var problem in options.Limits.Validate())
        {
            yield return problem;
        }
    }

    private static IEnumerable<string> ValidateCluster(ProxyOptions options)
    {
        var cluster = options.Cluster;
        if (!cluster.Enabled)
        {
            yield break;
        }

        if (!IsHttpUrl(cluster.InternalUrl))
        {
            yield return $"DependencyProxy:Cluster:InternalUrl must be an absolute http or https URL (got '{cluster.InternalUrl}').";
        }

        if (cluster.Secret is not { Length: >= 32 })
        {
            yield return "DependencyProxy:Cluster:Secret must be set, at least 32 characters, and the same on every node.";
        }

        if (options.Database.Provider != DatabaseOptions.PostgreSql || options.Storage.Provider != StorageOptions.S3Provider)
        {
            yield return "DependencyProxy:Cluster needs the postgresql database provider and the s3 storage provider: nodes share both.";
        }

        if (cluster.LeaseDuration < TimeSpan.FromSeconds(1) || cluster.LeaseDuration > TimeSpan.FromMinutes(10))
        {
            yield return "DependencyProxy:Cluster:LeaseDuration must be between 00:00:01 and 00:10:00.";
        }
    }

    private static IEnumerable<string> ValidateStorage(StorageOptions storage)
    {
        if (storage.Provider is not (StorageOptions.FileSystemProvider or StorageOptions.S3Provider))
        {
            yield return $"DependencyProxy:Storage:Provider must be '{StorageOptions.FileSystemProvider}' or '{StorageOptions.S3Provider}' (got '{storage.Provider}').";
            yield break;
        }

        if (storage.Provider == StorageOptions.FileSystemProvider)
        {
            if (storage.Redirect)
            {
                yield return "DependencyProxy:Storage:Redirect needs the s3 provider: a local folder has no URL to redirect to.";
            }

            yield break;
        }

        var s3 = storage.S3;
        if (string.IsNullOrWhiteSpace(s3.Bucket))
        {
            yield return "DependencyProxy:Storage:S3:Bucket is required with the s3 provider.";
        }

        if (!string.IsNullOrEmpty(s3.Endpoint) && !IsHttpUrl(s3.Endpoint))
        {
            yield return $"DependencyProxy:Storage:S3:Endpoint must be an absolute http or https URL (got '{s3.Endpoint}').";
        }

        if (string.IsNullOrEmpty(s3.AccessKey) != string.IsNullOrEmpty(s3.SecretKey))
        {
            yield return "DependencyProxy:Storage:S3:AccessKey and SecretKey are set together, or neither (the SDK's default credentials).";
        }

        if (s3.PartSizeBytes < 5L * 1024 * 1024 || s3.PartSizeBytes > 5L * 1024 * 1024 * 1024)
        {
            yield return "DependencyProxy:Storage:S3:PartSizeBytes must be between 5 MiB and 5 GiB (S3's part size limits).";
        }

        if (s3.RequestTimeout < TimeSpan.FromMilliseconds(100) || s3.RequestTimeout > TimeSpan.FromHours(1))
        {
            yield return "DependencyProxy:Storage:S3:RequestTimeout must be between 00:00:00.1 and 01:00:00.";
        }

        if (s3.RedirectExpiry < TimeSpan.FromSeconds(10) || s3.RedirectExpiry > TimeSpan.FromDays(7))
        {
            yield return "DependencyProxy:Storage:S3:RedirectExpiry must be between 00:00:10 and 7.00:00:00.";
        }
    }

    /// <summary>Token realm hosts are bare host names: a scheme, port or path would never match and hide the mistake.</summary>
    private static IEnumerable<string> ValidateRealmHosts(string key, IEnumerable<string> hosts) => hosts
        .Where(host => !System.Net.IPAddress.TryParse(host, out _) && (host.EndsWith('.') || host.IndexOfAny(['/', ':', '@', '?', '#']) >= 0
            || !Uri.TryCreate($"http://{host}/", UriKind.Absolute, out var uri) || Uri.CheckHostName(uri.IdnHost) != UriHostNameType.Dns))
        .Select(host => $"{key}: '{host}' is not a host name (no scheme, port, path or trailing dot).");

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>
/// Docker Hub, the default upstream. The token realm is discovered from its 401 challenge and must be on the site of
/// <see cref="Url"/> (docker.io for Docker Hub itself) or in <see cref="RealmHosts"/>.
/// </summary>
public sealed class DockerHubOptions
{
    public string Url { get; set; } = "https://registry-1.docker.io";

    /// <summary>Optional Docker Hub account, sent only to the token realm (raises the rate limit).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Token realm hosts besides Docker Hub's own site (see <see cref="UpstreamRegistryOptions.RealmHosts"/>).</summary>
    public List<string> RealmHosts { get; set; } = [];
}

/// <summary>
/// Timeouts for upstream calls. There is deliberately no total timeout: a multi-gigabyte layer may take an hour,
/// and what matters is that bytes keep arriving.
/// </summary>
public sealed class UpstreamTimeoutOptions
{
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for response headers after sending a request.</summary>
    public TimeSpan ResponseHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a body may stall without a single byte arriving.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>At most this many requests per upstream wait for their answers at once; more wait their turn.</summary>
    public int MaxConcurrentRequests { get; set; } = 32;

    /// <summary>After this many failures in a row, an upstream is skipped (the circuit opens) instead of waited for.</summary>
    public int CircuitFailureThreshold { get; set; } = 5;

    /// <summary>How long an open circuit skips its upstream before one request probes it again.</summary>
    public TimeSpan CircuitOpenDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Upstream bearer tokens kept in memory at most (one per registry, repository and account); the least recently used
    /// goes first. A miss costs one token request, so this only needs to cover the repositories pulled within a token's
    /// lifetime (Docker Hub: 5 minutes).
    /// </summary>
    public int MaxCachedTokens { get; set; } = 1000;

    internal IEnumerable<string> Validate()
    {
        if (ConnectTimeout <= TimeSpan.Zero || ResponseHeadersTimeout <= TimeSpan.Zero || IdleTimeout <= TimeSpan.Zero)
        {
            yield return "DependencyProxy:Upstream timeouts must be positive.";
        }

        if (MaxConcurrentRequests < 1)
        {
            yield return "DependencyProxy:Upstream:MaxConcurrentRequests must be at least 1.";
        }

        if (CircuitFailureThreshold < 1 || CircuitOpenDuration <= TimeSpan.Zero)
        {
            yield return "DependencyProxy:Upstream:CircuitFailureThreshold must be at least 1 and CircuitOpenDuration positive.";
        }

        if (MaxCachedTokens < 1)
        {
            yield return "DependencyProxy:Upstream:MaxCachedTokens must be at least 1.";
        }
    }
}

/// <summary>Login throttling: failures per client address, and per client address and username (docs/authentication.md).</summary>
public sealed class AuthOptions
{
    public int MaxFailedLogins { get; set; } = 10;

    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>The cleaner: TTL policies, purges, garbage collection and the quota.</summary>
public sealed class CleanupOptions
{
    /// <summary>Whether this process runs the cleaner itself; off, cleanup runs only from the CLI (<c>cleanup run</c>, e.g. from cron).</summary>
    public bool Background { get; set; } = true;

    /// <summary>How often the cleaner runs on its own (purges and new content also wake it).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Content is deleted only when nothing has referenced it for this long (by its file time), so a request that
    /// just found a reference, or is about to record one, never loses the file under it.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Where the metadata lives: SQLite in the data directory (one node), or PostgreSQL (several nodes share it).</summary>
public sealed class DatabaseOptions
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    public string Provider { get; set; } = Sqlite;

    /// <summary>Npgsql connection string for <see cref="PostgreSql"/>; SQLite always uses <c>&lt;data&gt;/dependency-proxy.db</c>.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>Where content is stored, and its budget.</summary>
public sealed class StorageOptions
{
    public const string FileSystemProvider = "filesystem";
    public const string S3Provider = "s3";

    /// <summary><c>filesystem</c> (the data directory, the default) or <c>s3</c> (a bucket several nodes can share).</summary>
    public string Provider { get; set; } = FileSystemProvider;

    /// <summary>With <c>s3</c>: answer GETs of cached blobs with a redirect to a presigned URL, so the bytes flow from the bucket.</summary>
    public bool Redirect { get; set; }

    public S3StorageOptions S3 { get; set; } = new();

    /// <summary>Optional: past this many bytes in the store, the least recently read content is evicted.</summary>
    public long? MaxBytes { get; set; }

    /// <summary>Eviction goes on until the store is at or below this share of <see cref="MaxBytes"/>.</summary>
    public int LowWaterPercent { get; set; } = 90;

    /// <summary>
    /// Free space the proxy leaves on the data directory's disk (for the database, logs, other programs): new content
    /// that would cut into it is refused with 507 before it is downloaded.
    /// </summary>
    public long MinFreeBytes { get; set; } = 100L * 1024 * 1024;
}

/// <summary>
/// Several nodes sharing one PostgreSQL database and one bucket (<c>DependencyProxy:Cluster</c>). Off unless
/// <see cref="InternalUrl"/> is set.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>How the other nodes reach this one (e.g. <c>http://10.0.0.5:5000</c>): it names the node in leases, and
    /// they read its downloads in progress at <c>/-/internal/</c> there.</summary>
    public string? InternalUrl { get; set; }

    /// <summary>Shared by every node, at least 32 characters: the only credential the internal endpoint accepts.</summary>
    public string? Secret { get; set; }

    /// <summary>How long a node's claim on a download or a job lasts without renewal: how soon another node takes over
    /// the work of one that died. Renewed every third of it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    public bool Enabled => !string.IsNullOrEmpty(InternalUrl);
}

/// <summary>An S3-compatible bucket (<c>DependencyProxy:Storage:S3</c>).</summary>
public sealed class S3StorageOptions
{
    public string Bucket { get; set; } = "";

    /// <summary>The service URL, e.g. <c>https://s3.eu-west-1.amazonaws.com</c> or a Ceph RGW / MinIO address. Empty: AWS by region.</summary>
    public string? Endpoint { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Empty: the SDK's default chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Address the bucket as <c>endpoint/bucket</c> (most S3-compatible servers) rather than <c>bucket.endpoint</c>.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Prepended to every object key, so one bucket can hold several caches.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Size of a multipart upload's parts (at least 5 MiB, S3's minimum); grown for blobs too big for 10,000 parts.</summary>
    public long PartSizeBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>How long one request to the bucket may take before it is given up (and retried, twice).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a presigned redirect URL stays valid.</summary>
    public TimeSpan RedirectExpiry { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>One upstream registry besides Docker Hub.</summary>
public sealed class UpstreamRegistryOptions
{
    /// <summary>The host as it appears in image paths, e.g. <c>ghcr.io</c> or <c>registry.example.com:5000</c>.</summary>
    public string Host { get; set; } = "";

    /// <summary>Where it is reached; usually <c>https://</c> + host, or a local mirror of it.</summary>
    public string Url { get; set; } = "";

    public bool Enabled { get; set; } = true;

    /// <summary>Optional account, sent only to this registry (its token realm, or Basic auth).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>
    /// Hosts besides the registry's own site that may serve its token realm, for registries with a separate auth server.
    /// A realm elsewhere is refused: it would receive the account above.
    /// </summary>
    public List<string> RealmHosts { get; set; } = [];
}

/// <summary>Registry-mirror mode: <c>/v2/&lt;repository&gt;/…</c> at the server root, as dockerd and containerd mirrors ask.</summary>
public sealed class MirrorOptions
{
    /// <summary>The group whose cache and access rules serve mirror requests; unset (the default) switches mirror mode off.</summary>
    public string? Group { get; set; }
}
