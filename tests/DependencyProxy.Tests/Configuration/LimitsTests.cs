using DependencyProxy.Limits;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Configuration;

/// <summary>The connection budget's rule and the limits' validation; the real server's behaviour is in the end-to-end ConnectionLimitTests.</summary>
public sealed class LimitsTests
{
    private const string Limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            1024                 4096                 files
        Max locked memory         8388608              8388608              bytes
        """;

    [Fact]
    public void TheSoftOpenFilesLimit_IsReadFromProcLimits()
    {
        Assert.Equal(1024, OpenFilesLimit.Parse(Limits));
        Assert.Null(OpenFilesLimit.Parse(Limits.Replace("1024 ", "unlimited ")));
        Assert.Null(OpenFilesLimit.Parse("Max cpu time  unlimited  unlimited  seconds"));
    }

    [Fact]
    public void OnThisMachine_TheLimitIsKnown()
    {
        // The tests run on Linux; the value is whatever this process has, and positive.
        Assert.True(OpenFilesLimit.Current() > 0);
    }

    [Theory]
    [InlineData(10_000, 1024L, 0, 352)]          // (1024 - 0 - 320) / 2
    [InlineData(10_000, 1024L, 330, 187)]        // (1024 - 330 - 320) / 2: what the server holds at start counts
    [InlineData(10_000, 1_048_576L, 330, 10_000)] // room enough: the configured limit stands
    [InlineData(10_000, 20_000L, 300, 9_690)]
    [InlineData(100, 1024L, 300, 100)]           // already below the room there is
    [InlineData(10_000, 400L, 330, 16)]          // never fewer than the minimum
    [InlineData(8, 200L, 100, 8)]                // unless fewer were asked for
    [InlineData(10_000, null, 300, 10_000)]      // no known limit
    public void TheConnectionLimit_LeavesRoomForWhatIsOpenFilesTheDatabaseAndUpstreamSockets(int configured, long? openFiles, int inUse, int expected) =>
        Assert.Equal(expected, ConnectionBudget.Allowed(configured, openFiles, inUse));

    [Fact]
    public void TheDescriptorsInUse_AreCounted()
    {
        using var file = File.OpenRead(typeof(LimitsTests).Assembly.Location);
        Assert.InRange(OpenFilesLimit.InUse(), 4, int.MaxValue);
    }

    [Fact]
    public void Defaults_AreValid_AndWellUnderATypicalOpenFilesLimit()
    {
        var limits = ConfigurationCheck.Bound<LimitsOptions>();
        Assert.Empty(ConfigurationCheck.Problems());
        Assert.Equal(10_000, limits.MaxConcurrentConnections);
        Assert.Equal(1024 * 1024, limits.MaxRequestBodyBytes);
    }

    [Theory]
    [InlineData(0, "00:00:15", "00:01:00", 1048576, "MaxConcurrentConnections")]
    [InlineData(100, "00:00:00", "00:01:00", 1048576, "RequestHeadersTimeout")]
    [InlineData(100, "00:00:15", "-00:00:01", 1048576, "KeepAliveTimeout")]
    [InlineData(100, "00:00:15", "00:01:00", 1000, "MaxRequestBodyBytes")]
    public void BadLimits_AreNamedInTheError(int connections, string headers, string keepAlive, long body, string key)
    {
        var problems = ConfigurationCheck.Problems(
            ("DependencyProxy:Limits:MaxConcurrentConnections", $"{connections}"), ("DependencyProxy:Limits:RequestHeadersTimeout", headers),
            ("DependencyProxy:Limits:KeepAliveTimeout", keepAlive), ("DependencyProxy:Limits:MaxRequestBodyBytes", $"{body}"));
        Assert.Contains(problems, problem => problem.Contains($"DependencyProxy:Limits:{key}"));
    }
}
