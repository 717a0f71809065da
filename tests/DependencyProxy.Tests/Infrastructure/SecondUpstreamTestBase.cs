namespace DependencyProxy.Tests.Infrastructure;

/// <summary>A proxy with a second fake registry configured and switched on as <c>ghcr.io</c>.</summary>
public abstract class SecondUpstreamTestBase : ProxyTestBase
{
    protected FakeUpstream Ghcr { get; private set; } = null!;

    protected override Dictionary<string, string> Settings => WithGhcr(ExtraSettings, Ghcr.Url);

    protected virtual Dictionary<string, string> ExtraSettings => [];

    /// <summary>These settings and the second registry switched on as <c>ghcr.io</c> (shared with SharedSecondUpstreamProxy).</summary>
    internal static Dictionary<string, string> WithGhcr(Dictionary<string, string> settings, string ghcrUrl) => new(settings)
    {
        ["DependencyProxy:Upstreams:ghcr:Enabled"] = "true",
        ["DependencyProxy:Upstreams:ghcr:Url"] = ghcrUrl,
    };

    public override async Task InitializeAsync()
    {
        Ghcr = await FakeUpstream.StartAsync(); // before the proxy starts: its URL is part of the settings
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Ghcr.DisposeAsync();
    }
}
