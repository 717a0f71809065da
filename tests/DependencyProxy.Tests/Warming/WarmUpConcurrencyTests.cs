using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Warming;

/// <summary>Warm-up's requests in flight per upstream stay within <c>Warming:MaxConcurrentRequests</c>, however many images run at once.</summary>
public sealed class WarmUpConcurrencyTests : WarmUpTestBase
{
    protected override Dictionary<string, string> WarmSettings => new()
    {
        ["DependencyProxy:Upstream:MaxConcurrentRequests"] = "8",
        ["DependencyProxy:Warming:MaxConcurrentRequests"] = "2",
        ["DependencyProxy:Warming:MaxConcurrentImages"] = "4",
    };

    [Fact]
    public async Task ManyImagesAtOnce_NeverHaveMoreThanTheCapOfRequestsInFlight()
    {
        // Every answer's headers take a while, so requests that are allowed to overlap do; counted until the headers go,
        // which is what the proxy's upstream slots cover.
        var waiting = 0;
        var peak = 0;
        Upstream.HoldRequest = async _ =>
        {
            var now = Interlocked.Increment(ref waiting);
            InterlockedMax(ref peak, now);
            await Task.Delay(60);
            Interlocked.Decrement(ref waiting);
        };
        var images = Enumerable.Range(0, 6).Select(i => TestImage.Add(Upstream, $"library/app{i}", "latest", 100, 100, 100)).ToList();

        var job = await WaitForJobAsync(await WarmAsync([.. Enumerable.Range(0, 6).Select(i => $"app{i}")]));

        Assert.Equal(6 * 5, job.GetProperty("manifests").GetInt32() + job.GetProperty("blobs").GetInt32());
        Assert.True(images.All(IsWholeImageStored));
        Assert.Equal(2, Volatile.Read(ref peak));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
