using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// A throwaway single-node Ceph with its RADOS Gateway (S3) on loopback, started by scripts/ceph-rgw.sh (Debian's ceph-mon,
/// ceph-osd, ceph-mgr, radosgw) once for the whole run, by the first test that asks for a bucket, and stopped after the
/// last test; each test takes a bucket of its own. A start costs a quarter of a minute or more, so the classes that use
/// S3 share one, and a run of other classes starts none.
/// </summary>
public sealed class CephGateway : IAsyncLifetime
{
    private readonly Lazy<Task> _started;

    public CephGateway() => _started = new(StartAsync);

    private static readonly string Script = Path.Combine(Processes.RepositoryRoot(), "scripts", "ceph-rgw.sh");

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"dp-rgw-{Guid.NewGuid():N}");

    public string Endpoint { get; private set; } = "";

    private string AccessKey { get; set; } = "";

    private string SecretKey { get; set; } = "";

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task StartAsync()
    {
        var started = (await Processes.RunAsync("bash", [Script, "start", _directory], TimeSpan.FromMinutes(2))).EnsureSuccess("start Ceph RGW");
        // stdout's one line (stderr, which comes after it here, may tell of retried steps).
        var fields = started.Output.Split('\n').Single(line => line.StartsWith("http", StringComparison.Ordinal)).Split(' ');
        (Endpoint, AccessKey, SecretKey) = (fields[0], fields[1], fields[2]);
    }

    public async Task DisposeAsync()
    {
        if (!_started.IsValueCreated)
        {
            return;
        }

        await Processes.RunAsync("bash", [Script, "stop", _directory]);
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A new bucket (the gateway starts now if it has not yet: every test's first step with S3 is this).</summary>
    public async Task<string> CreateBucketAsync()
    {
        await _started.Value;
        var bucket = $"e2e-{Guid.NewGuid():N}";
        using var client = Client();
        await client.PutBucketAsync(bucket);
        return bucket;
    }

    /// <summary>The server settings that put the proxy's content in <paramref name="bucket"/>.</summary>
    public string[] ProxyArguments(string bucket) =>
    [
        "--DependencyProxy:Storage:Provider=s3", $"--DependencyProxy:Storage:S3:Endpoint={Endpoint}",
        $"--DependencyProxy:Storage:S3:Bucket={bucket}", $"--DependencyProxy:Storage:S3:AccessKey={AccessKey}",
        $"--DependencyProxy:Storage:S3:SecretKey={SecretKey}",
    ];

    /// <summary>Every object in the bucket with its size.</summary>
    public async Task<Dictionary<string, long>> ObjectsAsync(string bucket)
    {
        using var client = Client();
        var objects = new Dictionary<string, long>();
        var request = new ListObjectsV2Request { BucketName = bucket };
        do
        {
            var page = await client.ListObjectsV2Async(request);
            foreach (var entry in page.S3Objects ?? [])
            {
                objects[entry.Key] = entry.Size ?? 0;
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
        return objects;
    }

    public async Task<int> PendingUploadsAsync(string bucket)
    {
        using var client = Client();
        return (await client.ListMultipartUploadsAsync(bucket)).MultipartUploads?.Count ?? 0;
    }

    /// <summary>The object key the proxy uses for a digest.</summary>
    public static string KeyOf(string digest) => $"sha256/{digest[7..9]}/{digest[7..]}";

    private AmazonS3Client Client() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });
}
