using DependencyProxy.Oci;
using DependencyProxy.Registry;

namespace DependencyProxy.Tests.Registry;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData("bytes=0-9", 0, 9)]
    [InlineData("bytes=10-", 10, 99)]
    [InlineData("bytes=-5", 95, 99)]
    [InlineData("bytes=90-1000", 90, 99)]
    [InlineData("bytes=-1000", 0, 99)]
    [InlineData("BYTES=1-1", 1, 1)]
    public void SatisfiableRanges_AreClampedToTheBlob(string header, long start, long end)
    {
        Assert.Equal(RangeOutcome.Partial, ByteRange.Evaluate(header, 100, out var range));
        Assert.Equal(new ByteRange(start, end), range);
    }

    [Theory]
    [InlineData("bytes=100-")]
    [InlineData("bytes=100-200")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=9223372036854775806-")]
    public void RangesOutsideTheBlob_AreUnsatisfiable(string header)
    {
        Assert.Equal(RangeOutcome.Unsatisfiable, ByteRange.Evaluate(header, 100, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=5-1")]
    [InlineData("items=0-1")]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=--1")]
    [InlineData("bytes=99999999999999999999999-")]
    [InlineData("bytes=0-1\r\nX-Injected: 1")]
    public void MissingMalformedOrMultipleRanges_MeanTheWholeBlob(string? header)
    {
        Assert.Equal(RangeOutcome.Whole, ByteRange.Evaluate(header, 100, out var range));
        Assert.Equal(new ByteRange(0, 99), range);
    }
}
