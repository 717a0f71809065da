using System.Text;
using DependencyProxy.Observability;
using DependencyProxy.Upstream;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DependencyProxy.Tests.Upstream;

public sealed class UpstreamTokenCacheTests
{
    private static readonly BearerChallenge Challenge = new(new Uri("https://auth.example/token"), "registry", null);
    private readonly FakeTimeProvider _time = new();

    private UpstreamTokenCache Cache(int capacity = 1000) =>
        new(_time, Options.Create(new UpstreamTimeoutOptions { MaxCachedTokens = capacity }), new ProxyMetrics());

    private static Func<Task<UpstreamToken>> Token(string value, int seconds = 300) =>
        () => Task.FromResult(new UpstreamToken(value, TimeSpan.FromSeconds(seconds)));

    [Fact]
    public async Task ManyScopes_NeverHoldMoreThanTheCapacity_AndTheTokenInUseStays()
    {
        var cache = Cache(capacity: 3);
        await cache.GetAsync(Challenge, "repository:hot:pull", Token("hot"), CancellationToken.None);
        for (var i = 0; i < 50; i++)
        {
            await cache.GetAsync(Challenge, $"repository:n{i}:pull", Token($"n{i}"), CancellationToken.None);
            Assert.Equal("hot", await cache.GetAsync(Challenge, "repository:hot:pull", Token("refetched"), CancellationToken.None));
            Assert.InRange(cache.Count, 1, 3);
        }

        Assert.Null(cache.TryGetCached(Challenge, "repository:n0:pull"));  // the least recently used went first
        Assert.Equal("n49", cache.TryGetCached(Challenge, "repository:n49:pull"));
    }

    [Fact]
    public async Task ExpiredTokens_AreEvicted_WithoutWaitingForNewOnes()
    {
        var cache = Cache();
        for (var i = 0; i < 10; i++)
        {
            await cache.GetAsync(Challenge, $"repository:n{i}:pull", Token($"n{i}", seconds: 300), CancellationToken.None);
        }

        await cache.GetAsync(Challenge, "repository:long:pull", Token("long", seconds: 3600), CancellationToken.None);
        Assert.Equal(11, cache.Count);
        _time.Advance(TimeSpan.FromSeconds(271)); // past 300 s minus the 30 s margin
        Assert.Equal(1, cache.Count);
        Assert.Equal("long", cache.TryGetCached(Challenge, "repository:long:pull"));
    }

    [Fact]
    public async Task TheCachedTokenCount_IsAGaugeInMetrics()
    {
        var metrics = new ProxyMetrics();
        var cache = new UpstreamTokenCache(_time, Options.Create(new UpstreamTimeoutOptions()), metrics);
        await cache.GetAsync(Challenge, "repository:a:pull", Token("a"), CancellationToken.None);
        await cache.GetAsync(Challenge, "repository:b:pull", Token("b"), CancellationToken.None);
        Assert.Contains("dependency_proxy_upstream_tokens_cached 2", await ExportAsync(metrics));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Contains("dependency_proxy_upstream_tokens_cached 0", await ExportAsync(metrics));
    }

    private static async Task<string> ExportAsync(ProxyMetrics metrics)
    {
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    [Fact]
    public async Task AToken_IsReusedUntilShortlyBeforeItExpires_ThenFetchedAgain()
    {
        var cache = Cache();
        var fetches = 0;
        Task<UpstreamToken> Fetch() => Task.FromResult(new UpstreamToken($"t{++fetches}", TimeSpan.FromSeconds(300)));

        Assert.Equal("t1", await cache.GetAsync(Challenge, "repository:a:pull", Fetch, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(269));
        Assert.Equal("t1", await cache.GetAsync(Challenge, "repository:a:pull", Fetch, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(2)); // past 300 s minus the 30 s margin
        Assert.Equal("t2", await cache.GetAsync(Challenge, "repository:a:pull", Fetch, CancellationToken.None));
    }

    [Fact]
    public async Task Tokens_AreKeptPerScope()
    {
        var cache = Cache();
        await cache.GetAsync(Challenge, "repository:a:pull", () => Task.FromResult(new UpstreamToken("a", TimeSpan.FromMinutes(5))), default);
        await cache.GetAsync(Challenge, "repository:b:pull", () => Task.FromResult(new UpstreamToken("b", TimeSpan.FromMinutes(5))), default);
        Assert.Equal("a", cache.TryGetCached(Challenge, "repository:a:pull"));
        Assert.Equal("b", cache.TryGetCached(Challenge, "repository:b:pull"));
        cache.Invalidate(Challenge, "repository:a:pull");
        Assert.Null(cache.TryGetCached(Challenge, "repository:a:pull"));
    }

    [Fact]
    public async Task ConcurrentRequestsForOneScope_FetchOneToken()
    {
        var cache = Cache();
        var fetches = 0;
        var release = new TaskCompletionSource();
        async Task<UpstreamToken> Fetch()
        {
            Interlocked.Increment(ref fetches);
            await release.Task;
            return new UpstreamToken("shared", TimeSpan.FromMinutes(5));
        }

        var waiters = Enumerable.Range(0, 20).Select(_ => cache.GetAsync(Challenge, "repository:a:pull", Fetch, CancellationToken.None)).ToArray();
        release.SetResult();
        Assert.All(await Task.WhenAll(waiters), t => Assert.Equal("shared", t));
        Assert.Equal(1, fetches);
    }

    [Theory]
    [InlineData(300, 270)]
    [InlineData(60, 54)]
    [InlineData(0, 54)]
    [InlineData(-5, 54)]
    public void RenewalMargin_IsATenthOfTheLifetime_AtMost30Seconds(int lifetime, int renewAfter)
    {
        Assert.Equal(TimeSpan.FromSeconds(renewAfter), UpstreamTokenCache.RenewAfter(TimeSpan.FromSeconds(lifetime)));
    }

    [Theory]
    [InlineData("{\"token\":\"abc\",\"expires_in\":300}", "abc", 300)]
    [InlineData("{\"access_token\":\"xyz\"}", "xyz", 60)]
    [InlineData("{\"token\":\"abc\",\"expires_in\":\"soon\"}", "abc", 60)]
    [InlineData("{\"token\":\"abc\",\"expires_in\":-1}", "abc", 60)]
    public void TokenResponses_AreRead(string json, string token, int seconds)
    {
        var parsed = UpstreamRegistryClient.ParseToken(Encoding.UTF8.GetBytes(json));
        Assert.Equal(token, parsed.Value);
        Assert.Equal(TimeSpan.FromSeconds(seconds), parsed.ExpiresIn);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"token\":42}")]
    [InlineData("{\"token\":\"\"}")]
    public void BadTokenResponses_AreUpstreamErrors(string json)
    {
        var error = Assert.Throws<UpstreamException>(() => UpstreamRegistryClient.ParseToken(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(UpstreamFailureKind.BadResponse, error.Kind);
    }
}
