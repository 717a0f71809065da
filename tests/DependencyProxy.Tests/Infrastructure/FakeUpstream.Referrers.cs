using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// The referrers API (distribution spec 1.1), off by default: like CNCF Distribution, the fake answers 404 for
/// <c>/referrers/</c> until a test gives it a list, so the proxy's fallback to the referrers tag is the default path.
/// </summary>
public sealed partial class FakeUpstream
{
    private readonly ConcurrentDictionary<string, TestArtifact[]> _referrers = new();

    /// <summary>When set, the referrers API answers this many descriptors a page, with <c>Link: rel="next"</c> to the rest.</summary>
    public int? ReferrersPageSize { get; set; }

    /// <summary>When set, the next-page link points here instead (a lying upstream).</summary>
    public string? ReferrersNextLinkOverride { get; set; }

    /// <summary>Turns the referrers API on for <paramref name="subject"/> in <paramref name="repository"/>, listing these artifacts.</summary>
    public void SetReferrers(string repository, string subject, params TestArtifact[] artifacts) =>
        _referrers[$"{repository}@{subject}"] = artifacts;

    private async Task<bool> TryWriteReferrersAsync(HttpContext context, string path)
    {
        var at = path.LastIndexOf("/referrers/", StringComparison.Ordinal);
        if (!path.StartsWith("/v2/", StringComparison.Ordinal) || at < 0)
        {
            return false;
        }

        var repository = path[4..at];
        var subject = path[(at + "/referrers/".Length)..];
        if (!IsAuthorized(context))
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate =
                $"Bearer realm=\"{Realm ?? $"{Url}/token"}\",service=\"fake-registry\",scope=\"repository:{repository}:pull\"";
            return true;
        }

        if (!_referrers.TryGetValue($"{repository}@{subject}", out var all))
        {
            context.Response.StatusCode = 404;
            return true;
        }

        var skip = int.TryParse(context.Request.Query["skip"], out var s) ? s : 0;
        var page = all.Skip(skip).Take(ReferrersPageSize ?? all.Length).ToArray();
        if (ReferrersPageSize is { } size && skip + size < all.Length)
        {
            context.Response.Headers.Link = $"<{ReferrersNextLinkOverride ?? $"{path}?skip={skip + size}"}>; rel=\"next\"";
        }

        context.Response.ContentType = TestImage.OciIndex;
        await context.Response.Body.WriteAsync(TestArtifacts.ReferrersIndex(page));
        return true;
    }
}
