using DependencyProxy.Events;
using DependencyProxy.Upstream;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Tests.Warming;

/// <summary>The background lane of <see cref="UpstreamBudgets"/>: clients go first, and background work never takes more than half the slots.</summary>
public sealed class BackgroundLaneTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(2);

    private readonly UpstreamBudgets _budgets = new(TimeProvider.System,
        Options.Create(new UpstreamTimeoutOptions { MaxConcurrentRequests = 2 }), new NoEvents(), NullLogger<UpstreamBudgets>.Instance);

    [Fact]
    public async Task BackgroundRequests_TakeAtMostHalfTheSlots_AndAWaitingClientGetsAFreedSlotFirst()
    {
        var lane = new BackgroundLane(maxPerRegistry: 5);
        var background = await InLane(lane).WaitAsync(Soon);
        var secondBackground = InLane(lane);
        await Task.Delay(300);
        Assert.False(secondBackground.IsCompleted, "a second background request took the last of two slots");

        // The other slot is the clients': taken at once.
        var client = await _budgets.AcquireAsync("r", CancellationToken.None).WaitAsync(Soon);
        var waitingClient = _budgets.AcquireAsync("r", CancellationToken.None);
        Assert.False(waitingClient.IsCompleted);

        background.Dispose();
        (await waitingClient.WaitAsync(Soon)).Dispose();
        client.Dispose();
        (await secondBackground.WaitAsync(Soon)).Dispose();
    }

    [Fact]
    public async Task ABackgroundRequest_WaitsWhileAClientWaits_EvenWithinItsShare()
    {
        var budgets = new UpstreamBudgets(TimeProvider.System,
            Options.Create(new UpstreamTimeoutOptions { MaxConcurrentRequests = 4 }), new NoEvents(), NullLogger<UpstreamBudgets>.Instance);
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => budgets.AcquireAsync("r", CancellationToken.None)));
        var waitingClient = budgets.AcquireAsync("r", CancellationToken.None);
        Task<IDisposable> background;
        using (new BackgroundLane(maxPerRegistry: 2).Enter())
        {
            background = budgets.AcquireAsync("r", CancellationToken.None);
        }

        clients[0].Dispose();
        var next = await waitingClient.WaitAsync(Soon);
        await Task.Delay(200);
        Assert.False(background.IsCompleted, "background took a slot a client was waiting for");
        clients[1].Dispose();
        (await background.WaitAsync(Soon)).Dispose();
        next.Dispose();
    }

    [Fact]
    public async Task AClientRequest_IsNotInTheLane_AfterTheLaneWasLeft()
    {
        var lane = new BackgroundLane(maxPerRegistry: 1);
        using (lane.Enter())
        {
            Assert.Same(lane, BackgroundLane.Current);
        }

        Assert.Null(BackgroundLane.Current);
        using var one = await _budgets.AcquireAsync("r", CancellationToken.None).WaitAsync(Soon);
        using var two = await _budgets.AcquireAsync("r", CancellationToken.None).WaitAsync(Soon);
    }

    private Task<IDisposable> InLane(BackgroundLane lane)
    {
        using (lane.Enter())
        {
            return _budgets.AcquireAsync("r", CancellationToken.None);
        }
    }

    /// <summary>These tests look at slots only; the rate-limit events UpstreamBudgets publishes go nowhere.</summary>
    private sealed class NoEvents : IProxyEvents
    {
        public void Publish(ProxyEvent proxyEvent)
        {
        }
    }
}
