using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.Warming;

namespace DependencyProxy.Tests.Warming;

/// <summary><c>DependencyProxy:Warming</c>: the documented defaults, and a bad value named at start.</summary>
public sealed class WarmingOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var warming = ConfigurationCheck.Bound<WarmingOptions>();
        Assert.Equal((2, 2, 20, TimeSpan.FromSeconds(5)), (warming.MaxConcurrentImages, warming.MaxConcurrentRequests, warming.RateLimitReserve, warming.PollInterval));
    }

    [Theory]
    [InlineData("MaxConcurrentImages", "0")]
    [InlineData("MaxConcurrentImages", "65")]
    [InlineData("MaxConcurrentRequests", "0")]
    [InlineData("RateLimitReserve", "-1")]
    [InlineData("PollInterval", "00:00:00")]
    [InlineData("PollInterval", "2.00:00:00")]
    public void BadValues_AreNamedInTheError(string key, string value) =>
        Assert.Contains(ConfigurationCheck.Problems(($"DependencyProxy:Warming:{key}", value)), problem => problem.Contains($"DependencyProxy:Warming:{key}"));
}
