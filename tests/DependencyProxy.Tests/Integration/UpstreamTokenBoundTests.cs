using System.Net;
using System.Text.RegularExpressions;
using DependencyProxy.Tests.Infrastructure;
using DependencyProxy.Upstream;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Integration;

/// <summary>
/// Anonymous pulls of many distinct names through a public group must not grow memory without end: each name costs an
/// upstream token, and the cache of those tokens is bounded and forgets expired ones (issue 13, item 4).
/// </summary>
public sealed class UpstreamTokenBoundTests : ProxyTestBase
{
    private const int Cap = 20;

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override TimeProvider Time => _clock;

    protected override Dictionary<string, string> Settings => new() { ["DependencyProxy:Upstream:MaxCachedTokens"] = $"{Cap}" };

    [Fact]
    public async Task PullsOfManyDistinctNames_KeepAtMostTheCapOfTokens_AndExpiredTokensAreGone()
    {
        var tokens = Proxy.Get<UpstreamTokenCache>();
        const int names = 300;
        await Parallel.ForEachAsync(Enumerable.Range(0, names), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            using var response = await GetManifestAsync($"probe/name-{i}", "latest");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode); // upstream has none of them, but each took a token
            Assert.InRange(tokens.Count, 0, Cap);
        });

        Assert.True(Upstream.Count("GET /token") >= names, $"{Upstream.Count("GET /token")} token requests");
        Assert.InRange(await CachedTokensGaugeAsync(), 1, Cap);

        _clock.Advance(TimeSpan.FromMinutes(5)); // the fake upstream's tokens live 300 s
        Assert.Equal(0, await CachedTokensGaugeAsync());
        Assert.Equal(0, tokens.Count);
    }

    private async Task<double> CachedTokensGaugeAsync()
    {
        var metrics = await Client.GetStringAsync("/metrics");
        var match = Regex.Match(metrics, "^dependency_proxy_upstream_tokens_cached (\\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, "the gauge is in /metrics");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
