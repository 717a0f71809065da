using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Storage;
using DependencyProxy.Upstream;

namespace DependencyProxy.Tests.Registry;

/// <summary>One place decides what a client is told about a failure; a failure it does not know stays a bug (500).</summary>
public sealed class OciFailuresTests
{
    [Fact]
    public void StorageFailures_AreTheirOwnTypes_AndNameWhatHappened()
    {
        var full = OciFailures.TryMap(new StorageFullException("no room"), RegistryResource.Blob)!;
        Assert.Equal((507, "UNAVAILABLE"), (full.Status, full.Code));
        Assert.Contains("no room", full.Message);

        var bucket = OciFailures.TryMap(new StorageUnavailableException(new TimeoutException("slow")), RegistryResource.Manifest)!;
        Assert.Equal((503, "UNAVAILABLE"), (bucket.Status, bucket.Code));
        Assert.Contains(nameof(TimeoutException), bucket.Message);
        Assert.DoesNotContain("slow", bucket.Message);

        var descriptors = OciFailures.TryMap(new StorageUnavailableException(new IOException("EMFILE"), StorageFailure.OutOfDescriptors), RegistryResource.Blob)!;
        Assert.Equal(503, descriptors.Status);
        Assert.Contains("ulimit -n", descriptors.Message);
    }

    [Fact]
    public void UpstreamNotFound_NamesTheResourceAsked()
    {
        var missing = new UpstreamException(UpstreamFailureKind.NotFound, "gone");

        Assert.Equal("BLOB_UNKNOWN", OciFailures.TryMap(missing, RegistryResource.Blob)!.Code);
        Assert.Equal("MANIFEST_UNKNOWN", OciFailures.TryMap(missing, RegistryResource.Manifest)!.Code);
    }

    [Fact]
    public void ARateLimit_CarriesRetryAfter()
    {
        var limited = OciFailures.TryMap(new UpstreamException(UpstreamFailureKind.RateLimited, "wait", TimeSpan.FromSeconds(42)), RegistryResource.Blob)!;

        Assert.Equal((429, "TOOMANYREQUESTS", "42"), (limited.Status, limited.Code, limited.Headers!["Retry-After"]));
    }

    [Fact]
    public void WhatIsNotAKnownFailure_IsNotMapped()
    {
        // The S3 SDK's own exceptions and plain I/O errors no longer count as "storage unavailable" by elimination:
        // the backends wrap theirs, and anything else is a bug to see, not a 503 to hide it.
        Assert.Null(OciFailures.TryMap(new HttpRequestException("refused"), RegistryResource.Blob));
        Assert.Null(OciFailures.TryMap(new TimeoutException(), RegistryResource.Blob));
        Assert.Null(OciFailures.TryMap(new InvalidOperationException(), RegistryResource.Manifest));
    }
}
