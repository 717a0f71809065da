using System.Net;
using DependencyProxy.Upstream;

namespace DependencyProxy.Tests.Upstream;

/// <summary>
/// The upstream's <c>Link: &lt;…&gt;; rel="next"</c> on a listing page: only its query is taken, and only when it names the
/// same listing, so a hostile upstream cannot point the proxy at another path or host.
/// </summary>
public sealed class ListingLinkTests
{
    private static HttpResponseMessage WithLink(params string[] links)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK);
        foreach (var link in links)
        {
            response.Headers.TryAddWithoutValidation("Link", link);
        }

        return response;
    }

    [Theory]
    [InlineData("</v2/library/alpine/tags/list?last=3.19&n=100>; rel=\"next\"", "last=3.19&n=100")]
    [InlineData("<https://registry.example/v2/library/alpine/tags/list?n=50&last=b>; rel=next", "n=50&last=b")]
    [InlineData("<http://169.254.169.254/v2/x/tags/list?last=a>; rel=\"next\"", "last=a")] // the host is never used
    [InlineData("</v2/a/tags/list?last=z>; rel=\"prev\", </v2/a/tags/list?last=b>; rel=\"next\"", "last=b")]
    [InlineData("</v2/a/tags/list?last=x%2Fy>;rel=\"NEXT\"", "last=x%2Fy")]
    [InlineData("<?last=b&n=5>; rel=\"next\"", "last=b&n=5")] // a bare query: this listing
    public void TheNextLinksQuery_IsTaken(string link, string query)
    {
        using var response = WithLink(link);
        Assert.Equal(query, UpstreamRegistryClient.NextQuery(response, "tags/list"));
    }

    [Theory]
    [InlineData("</v2/a/tags/list?last=z>; rel=\"prev\"")]
    [InlineData("garbage")]
    [InlineData("")]
    public void NoNextLink_MeansTheLastPage(string link)
    {
        using var response = WithLink(link);
        Assert.Null(UpstreamRegistryClient.NextQuery(response, "tags/list"));
        using var none = new HttpResponseMessage(HttpStatusCode.OK);
        Assert.Null(UpstreamRegistryClient.NextQuery(none, "tags/list"));
    }

    [Theory]
    [InlineData("</v2/a/manifests/latest?x=1>; rel=\"next\"")]              // another path
    [InlineData("</v2/a/tags/list>; rel=\"next\"")]                         // no query: the same page again
    [InlineData("</v2/a/tags/list?last=a b>; rel=\"next\"")]                // not a URL query
    [InlineData("</v2/a/tags/list?last=a#frag>; rel=\"next\"")]
    [InlineData("</v2/a/tags/list?last=a\r\nX-Evil: 1>; rel=\"next\"")]
    [InlineData("</v2/a/tags/listing?last=a>; rel=\"next\"")]
    public void ALinkToAnythingElse_IsABadAnswer(string link)
    {
        using var response = WithLink(link);
        var e = Assert.Throws<UpstreamException>(() => UpstreamRegistryClient.NextQuery(response, "tags/list"));
        Assert.Equal(UpstreamFailureKind.BadResponse, e.Kind);
    }

    [Fact]
    public void AnOverlongLink_IsNotFollowed_AndIsReadQuickly()
    {
        // Longer than any target the proxy reads (4,096 characters): no link, so the list ends with this page.
        using var response = WithLink($"</v2/a/tags/list?last={new string('a', 100_000)}>; rel=\"next\"");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Null(UpstreamRegistryClient.NextQuery(response, "tags/list"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }
}
