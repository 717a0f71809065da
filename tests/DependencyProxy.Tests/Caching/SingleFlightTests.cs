using DependencyProxy.Caching;
using DependencyProxy.Common;

namespace DependencyProxy.Tests.Caching;

public sealed class SingleFlightTests
{
    [Fact]
    public async Task AWaiterThatGivesUp_DoesNotCancelTheWorkForOthers()
    {
        var flight = new SingleFlight<string, int>();
        var release = new TaskCompletionSource();
        var runs = 0;
        async Task<int> Work()
        {
            Interlocked.Increment(ref runs);
            await release.Task;
            return 42;
        }

        using var impatient = new CancellationTokenSource();
        var first = flight.RunAsync("k", Work, impatient.Token);
        var second = flight.RunAsync("k", Work, CancellationToken.None);
        impatient.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        release.SetResult();
        Assert.Equal(42, await second);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task AfterCompletion_TheNextCallRunsAgain_AndFailuresAreNotCached()
    {
        var flight = new SingleFlight<string, int>();
        var runs = 0;
        Task<int> Count() => Task.FromResult(Interlocked.Increment(ref runs));

        await Assert.ThrowsAsync<InvalidOperationException>(() => flight.RunAsync("k", () => throw new InvalidOperationException(), default));
        Assert.Equal(1, await flight.RunAsync("k", Count, default));
        // A result is not kept either: the entry goes with the work, so the key runs afresh (and nothing piles up).
        Assert.Equal(2, await flight.RunAsync("k", Count, default));
    }
}
