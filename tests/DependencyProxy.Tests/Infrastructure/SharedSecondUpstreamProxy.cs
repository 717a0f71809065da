namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// <see cref="SharedProxy"/> configured as <see cref="SecondUpstreamTestBase"/> is: a second fake registry switched on as
/// <c>ghcr.io</c>, for the refusal cases of such a class.
/// </summary>
public class SharedSecondUpstreamProxy : SharedProxy
{
    private FakeUpstream _ghcr = null!;

    protected override Dictionary<string, string>? Settings => SecondUpstreamTestBase.WithGhcr(ExtraSettings, _ghcr.Url);

    protected virtual Dictionary<string, string> ExtraSettings => [];

    public override async Task InitializeAsync()
    {
        _ghcr = await FakeUpstream.StartAsync(); // before the proxy starts: its URL is part of the settings
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _ghcr.DisposeAsync();
    }
}
