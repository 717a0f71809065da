using System.Net;
using System.Text.RegularExpressions;
using DependencyProxy.EndToEnd.Infrastructure;

namespace DependencyProxy.EndToEnd;

/// <summary>
/// Memory does not grow with the number of distinct names pulled (issue 13, item 4): the real server, in front of the real
/// Distribution with token auth, takes an upstream token for each of a few thousand anonymous names, and the gauge of
/// cached tokens in /metrics stays at the configured cap.
/// </summary>
[Collection(UpstreamCollection.Name)]
public sealed class UpstreamTokenBoundTests(UpstreamFixture upstream, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task ThousandsOfDistinctAnonymousNames_KeepTheCachedUpstreamTokensAtTheCap()
    {
        const int cap = 50;
        const int names = 2000;
        await using var proxy = await upstream.StartProxyAsync("e2e", $"--DependencyProxy:Upstream:MaxCachedTokens={cap}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{proxy.Host}") };
        var tokensBefore = upstream.Issuer.Requests;

        // Bounded in time: the pulls give up after 50 s rather than hang the run.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, names), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = deadline.Token },
            async (i, cancellationToken) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/e2e/dependency_proxy/containers/probe/name-{i}/manifests/latest");
                foreach (var type in UpstreamFixture.ManifestTypes)
                {
                    request.Headers.Accept.ParseAdd(type);
                }

                using var response = await http.SendAsync(request, cancellationToken);
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode); // no such repository upstream, but each asked for a token
            });

        output.WriteLine($"{names} names pulled in {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.True(upstream.Issuer.Requests - tokensBefore >= names, $"{upstream.Issuer.Requests - tokensBefore} upstream token requests");
        var metrics = await http.GetStringAsync("/metrics");
        var gauge = Regex.Match(metrics, "^dependency_proxy_upstream_tokens_cached (\\S+)$", RegexOptions.Multiline);
        Assert.True(gauge.Success, "the gauge is in /metrics");
        Assert.InRange(double.Parse(gauge.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1, cap);
    }
}
