using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Web;

/// <summary>With the pull path: what a pull through the page's prefix cached is listed on the upstream's page, and deleted there.</summary>
public sealed partial class VirtualRegistryPagesTests
{
    [Fact]
    public async Task APullThroughThePrefix_IsListedOnTheUpstreamsPage_AndDeletedThere()
    {
        TestImage.Add(Upstream, "library/app", "1.0", 300);
        var (registry, upstream, _, _) = await RegistryWithUpstreamAsync();
        var id = registry[RegistryPrefix.Length..];
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/virtual_registries/container/{id}/library/app/manifests/1.0"))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(TestImage.OciManifest));
            using var pulled = await Client.SendAsync(request);
            Assert.True(pulled.StatusCode == HttpStatusCode.OK, $"{pulled.StatusCode}: {await pulled.Content.ReadAsStringAsync()}");
        }

        await WaitForFillsAsync();
        using var maintainer = await SignedInAsync("maint", 40);
        var page = await maintainer.GetPageAsync(upstream);
        Assert.Contains("data-path=\"library/app/manifests/1.0\"", page);
        var entryId = WebUtility.HtmlDecode(Regex.Match(page, "name=\"entry\" value=\"([^\"]+)\"").Groups[1].Value);
        using var deleted = await maintainer.PostFormAsync(upstream, upstream + "?handler=DeleteEntry", new() { ["entry"] = entryId });
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.DoesNotContain("data-path=\"library/app/manifests/1.0\"", await maintainer.GetPageAsync(upstream));
    }
}
