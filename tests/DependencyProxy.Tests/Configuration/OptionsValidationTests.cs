using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Storage;
using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.Upstream;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Tests.Configuration;

/// <summary>Each feature's section, checked through the real registration as at start, by its documented keys.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void Defaults_AreValid_AndPointAtDockerHub()
    {
        Assert.Empty(ConfigurationCheck.Problems());
        Assert.Equal("./data", ConfigurationCheck.Bound<InstanceOptions>().DataDirectory);
        Assert.Equal("https://registry-1.docker.io", ConfigurationCheck.Bound<UpstreamRegistriesOptions>().DockerHub.Url);
        Assert.Null(new PublicAddress(Options.Create(new InstanceOptions())).ImageHost);
    }

    [Theory]
    [InlineData("ftp://hub", null, "4194304", "DockerHub:Url")]
    [InlineData("registry-1.docker.io", null, "4194304", "DockerHub:Url")]
    [InlineData("https://hub", "not a url", "4194304", "ExternalUrl")]
    [InlineData("https://hub", "javascript:alert(1)", "4194304", "ExternalUrl")]
    [InlineData("https://hub", null, "1024", "MaxManifestBytes")]
    public void BadSettings_AreNamedInTheError(string hubUrl, string? externalUrl, string maxManifest, string key)
    {
        var problems = ConfigurationCheck.Problems(
            ("DependencyProxy:DockerHub:Url", hubUrl), ("DependencyProxy:ExternalUrl", externalUrl), ("DependencyProxy:MaxManifestBytes", maxManifest));
        Assert.Contains(problems, problem => problem.Contains(key));
    }

    [Theory]
    [InlineData("minio", "bucket", null, null, null, "Storage:Provider")]
    [InlineData("1", "bucket", null, null, null, "Storage:Provider")]             // a name, not the enum's number
    [InlineData("filesystem,s3", "bucket", null, null, null, "Storage:Provider")]
    [InlineData(" s3", "bucket", null, null, null, "Storage:Provider")]
    [InlineData("s3", "", null, null, null, "S3:Bucket")]
    [InlineData("s3", "  ", null, null, null, "S3:Bucket")]
    [InlineData("s3", "b", "file:///etc/passwd", null, null, "S3:Endpoint")]
    [InlineData("s3", "b", "rgw.local:7480", null, null, "S3:Endpoint")]
    [InlineData("s3", "b", null, "AKIA-only", null, "AccessKey and SecretKey")]
    [InlineData("s3", "b", null, null, "secret-only", "AccessKey and SecretKey")]
    public void BadStorageSettings_AreNamedInTheError(string provider, string bucket, string? endpoint, string? accessKey, string? secretKey, string key)
    {
        var problems = ConfigurationCheck.Problems(
            ("DependencyProxy:Storage:Provider", provider), ("DependencyProxy:Storage:S3:Bucket", bucket), ("DependencyProxy:Storage:S3:Endpoint", endpoint),
            ("DependencyProxy:Storage:S3:AccessKey", accessKey), ("DependencyProxy:Storage:S3:SecretKey", secretKey));
        Assert.Contains(problems, problem => problem.Contains(key));
        // A secret is never repeated back in an error (it would end up in logs).
        Assert.DoesNotContain(problems, problem => secretKey is not null && problem.Contains(secretKey));
    }

    [Theory]
    [InlineData("DependencyProxy:Storage:Provider", "minio", "DependencyProxy:Storage:Provider must be 'filesystem' or 's3' (got 'minio').")]
    [InlineData("DependencyProxy:Database:Provider", "oracle", "DependencyProxy:Database:Provider must be 'sqlite' or 'postgresql' (got 'oracle').")]
    [InlineData("DependencyProxy:Database:Provider", "1", "DependencyProxy:Database:Provider must be 'sqlite' or 'postgresql' (got '1').")]
    public void AWrongProvider_NamesTheKeyAndTheChoices_AsTheDocumentationWritesThem(string key, string value, string sentence)
    {
        // As before options per feature: no .NET type names, the key first.
        var problem = Assert.Single(ConfigurationCheck.Problems((key, value)));
        Assert.Equal(sentence, problem.Trim());
    }

    [Theory]
    [InlineData("DependencyProxy:Storage:Provider", "S3", "S3")]
    [InlineData("DependencyProxy:Storage:Provider", "s3", "S3")]
    [InlineData("DependencyProxy:Storage:Provider", "FileSystem", "FileSystem")]
    [InlineData("DependencyProxy:Database:Provider", "PostgreSQL", "PostgreSql")]
    [InlineData("DependencyProxy:Database:Provider", "SQLITE", "Sqlite")]
    public void Providers_AreReadInAnyCase(string key, string value, string expected)
    {
        (string, string?)[] settings = [(key, value), ("DependencyProxy:Storage:S3:Bucket", "b"), ("DependencyProxy:Database:ConnectionString", "Host=db")];
        Assert.Empty(ConfigurationCheck.Problems(settings));
        var read = key.Contains("Storage") ? $"{ConfigurationCheck.Bound<StorageOptions>(settings).Provider}" : $"{ConfigurationCheck.Bound<DatabaseOptions>(settings).Provider}";
        Assert.Equal(expected, read);
    }

    [Fact]
    public void PostgreSql_NeedsAConnectionString() =>
        Assert.Contains(ConfigurationCheck.Problems(("DependencyProxy:Database:Provider", "postgresql")), p => p.Contains("Database:ConnectionString is required"));

    [Theory]
    [InlineData("1048576", "PartSizeBytes")]
    [InlineData("6442450944", "PartSizeBytes")]
    [InlineData("-1", "PartSizeBytes")]
    public void PartSizesOutsideS3sLimits_AreRefused(string partSize, string key)
    {
        var problems = ConfigurationCheck.Problems(
            ("DependencyProxy:Storage:Provider", "s3"), ("DependencyProxy:Storage:S3:Bucket", "b"), ("DependencyProxy:Storage:S3:PartSizeBytes", partSize));
        Assert.Contains(problems, problem => problem.Contains(key));
    }

    [Fact]
    public void Redirects_NeedABucket_AndAnExpiryS3Accepts()
    {
        Assert.Contains(ConfigurationCheck.Problems(("DependencyProxy:Storage:Redirect", "true")), p => p.Contains("Redirect needs the s3 provider"));
        (string, string?)[] s3 = [("DependencyProxy:Storage:Provider", "s3"), ("DependencyProxy:Storage:Redirect", "true"), ("DependencyProxy:Storage:S3:Bucket", "b")];
        Assert.Contains(ConfigurationCheck.Problems([.. s3, ("DependencyProxy:Storage:S3:RedirectExpiry", "8.00:00:00")]), p => p.Contains("RedirectExpiry"));
        Assert.Empty(ConfigurationCheck.Problems([.. s3, ("DependencyProxy:Storage:S3:RedirectExpiry", "00:15:00")]));
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
        (string, string?)[] shared =
        [
            ("DependencyProxy:Cluster:Secret", secret), ("DependencyProxy:Database:Provider", database),
            ("DependencyProxy:Database:ConnectionString", "Host=db"), ("DependencyProxy:Storage:Provider", storage), ("DependencyProxy:Storage:S3:Bucket", "b"),
        ];
        var problems = ConfigurationCheck.Problems([.. shared, ("DependencyProxy:Cluster:InternalUrl", url)]);
        Assert.Contains(problems, problem => problem.Contains(key));
        Assert.DoesNotContain(problems, problem => secret is { Length: > 0 } && problem.Contains(secret));

        // Clustering off: none of it is asked for.
        Assert.DoesNotContain(ConfigurationCheck.Problems(shared), problem => problem.Contains("Cluster"));
    }

    [Fact]
    public void NonPositiveTimeouts_AreRefused() =>
        Assert.Contains(ConfigurationCheck.Problems(("DependencyProxy:Upstream:IdleTimeout", "00:00:00")), p => p.Contains("DependencyProxy:Upstream timeouts"));

    [Fact]
    public void ProblemsInSeveralSections_AreAllSaid_EachOnce()
    {
        var problems = ConfigurationCheck.Problems(
            ("DependencyProxy:DataDirectory", " "), ("DependencyProxy:Cleanup:Interval", "00:00:00"), ("DependencyProxy:Auth:MaxFailedLogins", "0"),
            ("DependencyProxy:RegistryTokenLifetime", "00:00:10"), ("DependencyProxy:InitialRootToken", "dpat-short"),
            ("DependencyProxy:Storage:Provider", "s3"));
        Assert.Equal(6, problems.Count);
        Assert.Single(problems, p => p.Contains("S3:Bucket is required")); // once, though the cluster's rule reads the storage section too
        Assert.Contains(problems, p => p.StartsWith("DependencyProxy:DataDirectory", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DependencyProxy:Cleanup:Interval", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DependencyProxy:Auth:MaxFailedLogins", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DependencyProxy:RegistryTokenLifetime", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DependencyProxy:InitialRootToken", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("dpat-short"));
    }

    [Fact]
    public void ImageHost_IsTheAuthorityOfTheExternalUrl()
    {
        var address = new PublicAddress(Options.Create(new InstanceOptions { ExternalUrl = "https://proxy.example.com:8443/" }));
        Assert.Equal("proxy.example.com:8443", address.ImageHost);
    }
}
