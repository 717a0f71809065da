using DependencyProxy.Configuration;

namespace DependencyProxy.Tests.Configuration;

public sealed class ProxyOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndPointAtDockerHub()
    {
        var options = new ProxyOptions();
        Assert.Empty(ProxyOptions.Validate(options));
        Assert.Equal("./data", options.DataDirectory);
        Assert.Equal("https://registry-1.docker.io", options.DockerHub.Url);
        Assert.Null(options.ImageHost);
    }

    [Theory]
    [InlineData("ftp://hub", null, 4194304, "DockerHub:Url")]
    [InlineData("registry-1.docker.io", null, 4194304, "DockerHub:Url")]
    [InlineData("https://hub", "not a url", 4194304, "ExternalUrl")]
    [InlineData("https://hub", "javascript:alert(1)", 4194304, "ExternalUrl")]
    [InlineData("https://hub", null, 1024, "MaxManifestBytes")]
    public void BadSettings_AreNamedInTheError(string hubUrl, string? externalUrl, int maxManifest, string key)
    {
        var options = new ProxyOptions { DockerHub = { Url = hubUrl }, ExternalUrl = externalUrl, MaxManifestBytes = maxManifest };
        Assert.Contains(ProxyOptions.Validate(options), problem => problem.Contains(key));
    }

    [Theory]
    [InlineData("S3", "bucket", null, null, null, "Storage:Provider")]           // names are lower case, as documented
    [InlineData("minio", "bucket", null, null, null, "Storage:Provider")]
    [InlineData("s3", "", null, null, null, "S3:Bucket")]
    [InlineData("s3", "  ", null, null, null, "S3:Bucket")]
    [InlineData("s3", "b", "file:///etc/passwd", null, null, "S3:Endpoint")]
    [InlineData("s3", "b", "rgw.local:7480", null, null, "S3:Endpoint")]
    [InlineData("s3", "b", null, "AKIA-only", null, "AccessKey and SecretKey")]
    [InlineData("s3", "b", null, null, "secret-only", "AccessKey and SecretKey")]
    public void BadStorageSettings_AreNamedInTheError(string provider, string bucket, string? endpoint, string? accessKey, string? secretKey, string key)
    {
        var options = new ProxyOptions
        {
            Storage = { Provider = provider, S3 = { Bucket = bucket, Endpoint = endpoint, AccessKey = accessKey, SecretKey = secretKey } },
        };
        var problems = ProxyOptions.Validate(options).ToList();
        Assert.Contains(problems, problem => problem.Contains(key));
        // A secret is never repeated back in an error (it would end up in logs).
        Assert.DoesNotContain(problems, problem => secretKey is not null && problem.Contains(secretKey));
    }

    [Theory]
    [InlineData(1024L * 1024, "PartSizeBytes")]
    [InlineData(6L * 1024 * 1024 * 1024, "PartSizeBytes")]
    [InlineData(-1L, "PartSizeBytes")]
    public void PartSizesOutsideS3sLimits_AreRefused(long partSize, string key)
    {
        var options = new ProxyOptions { Storage = { Provider = "s3", S3 = { Bucket = "b", PartSizeBytes = partSize } } };
        Assert.Contains(ProxyOptions.Validate(options), problem => problem.Contains(key));
    }

    [Fact]
    public void Redirects_NeedABucket_AndAnExpiryS3Accepts()
    {
        Assert.Contains(ProxyOptions.Validate(new ProxyOptions { Storage = { Redirect = true } }), p => p.Contains("Redirect needs the s3 provider"));
        var s3 = new ProxyOptions { Storage = { Provider = "s3", Redirect = true, S3 = { Bucket = "b", RedirectExpiry = TimeSpan.FromDays(8) } } };
        Assert.Contains(ProxyOptions.Validate(s3), p => p.Contains("RedirectExpiry"));
        s3.Storage.S3.RedirectExpiry = TimeSpan.FromMinutes(15);
        Assert.Empty(ProxyOptions.Validate(s3));
    }

    [Theory]
    [InlineData("not a url", "0123456789abcdef0123456789abcdef", "postgresql", "s3", "Cluster:InternalUrl")]
    [InlineData("file:///etc/passwd", "0123456789abcdef0123456789abcdef", "postgresql", "s3", "Cluster:InternalUrl")]
    [InlineData("http://10.0.0.5:5000", null, "postgresql", "s3", "Cluster:Secret")]
    [InlineData("http://10.0.0.5:5000", "short", "postgresql", "s3", "Cluster:Secret")]
    [InlineData("http://10.0.0.5:5000", "0123456789abcdef0123456789abcdef", "sqlite", "s3", "postgresql database provider")]
    [InlineData("http://10.0.0.5:5000", "0123456789abcdef0123456789abcdef", "postgresql", "filesystem", "s3 storage provider")]
    public void AClusterNeedsAnAddressASecretAndSharedStores(string url, string? secret, string database, string storage, string key)
    {
        var options = new ProxyOptions
        {
            Cluster = { InternalUrl = url, Secret = secret },
            Database = { Provider = database, ConnectionString = "Host=db" },
            Storage = { Provider = storage, S3 = { Bucket = "b" } },
        };
        var problems = ProxyOptions.Validate(options).ToList();
        Assert.Contains(problems, problem => problem.Contains(key));
        Assert.DoesNotContain(problems, problem => secret is { Length: > 0 } && problem.Contains(secret));

        options.Cluster.InternalUrl = null; // clustering off: none of it is asked for
        Assert.DoesNotContain(ProxyOptions.Validate(options), problem => problem.Contains("Cluster"));
    }

    [Fact]
    public void NonPositiveTimeouts_AreRefused()
    {
        var options = new ProxyOptions { Upstream = { IdleTimeout = TimeSpan.Zero } };
        Assert.NotEmpty(ProxyOptions.Validate(options));
    }

    [Fact]
    public void ImageHost_IsTheAuthorityOfTheExternalUrl()
    {
        Assert.Equal("proxy.example.com:8443", new ProxyOptions { ExternalUrl = "https://proxy.example.com:8443/" }.ImageHost);
    }
}
