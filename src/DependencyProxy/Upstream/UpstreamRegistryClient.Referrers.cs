using System.Net;
using DependencyProxy.Oci;

namespace DependencyProxy.Upstream;

internal sealed partial class UpstreamRegistryClient
{
    /// <summary>Pages of one referrers list the proxy follows; a longer list is the upstream's fault, not the client's wait.</summary>
    private const int MaxReferrersPages = 20;

    /// <summary>
    /// Asks the upstream's referrers API for the referrers of <paramref name="subject"/>, following its <c>Link: rel="next"</c>
    /// pages. Null when the upstream answers 404, as a registry without the API does (CNCF Distribution): the caller then reads
    /// the referrers tag. Any other failure leaves as an <see cref="UpstreamException"/>.
    /// </summary>
    public async Task<IReadOnlyList<ReferrerDescriptor>?> GetReferrersAsync(UpstreamRepository repository, Digest subject, CancellationToken cancellationToken)
    {
        var descriptors = new List<ReferrerDescriptor>();
        string? relative = $"referrers/{subject}";
        for (var page = 0; relative is not null; page++)
        {
            if (page == MaxReferrersPages)
            {
                throw new UpstreamException(UpstreamFailureKind.BadResponse, $"the referrers of {subject} run past {MaxReferrersPages} pages");
            }

            using var response = await SendAsync(repository, HttpMethod.Get, relative, [ManifestMediaTypes.OciIndex], cancellationToken);
            if (page == 0 && response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            EnsureSuccess(response, repository, subject.ToString());
            var limit = registries.Value.MaxManifestBytes;
            var content = await ReadLimitedAsync(response, limit, cancellationToken)
                ?? throw new UpstreamException(UpstreamFailureKind.BadResponse, $"a referrers page of {subject} is larger than {limit} bytes");
            descriptors.AddRange(ReferrersIndex.Parse(content)
                ?? throw new UpstreamException(UpstreamFailureKind.BadResponse, $"the referrers answer for {subject} is not an image index"));
            relative = NextPage(repository, response);
        }

        return descriptors;
    }

    /// <summary>
    /// The next page from the <c>Link</c> header, relative to the repository; only a page of this repository's referrers on the
    /// same host is followed (the upstream's header must not send the proxy, or its token, anywhere else).
    /// </summary>
    private static string? NextPage(UpstreamRepository repository, HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links.SelectMany(l => l.Split(',')))
        {
            var parts = link.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Length < 2 || !parts[0].StartsWith('<') || !parts[0].EndsWith('>')
                || !parts.Skip(1).Any(p => p.Replace(" ", "") is "rel=\"next\"" or "rel=next"))
            {
                continue;
            }

            var prefix = repository.UriFor("referrers/");
            if (!Uri.TryCreate(prefix, parts[0][1..^1], out var next) || next.Scheme != prefix.Scheme
                || !string.Equals(next.Authority, prefix.Authority, StringComparison.OrdinalIgnoreCase)
                || !next.AbsolutePath.StartsWith(prefix.AbsolutePath, StringComparison.Ordinal))
            {
                throw new UpstreamException(UpstreamFailureKind.BadResponse, "the upstream's next referrers page is not in the same repository");
            }

            return next.PathAndQuery[(prefix.AbsolutePath.Length - "referrers/".Length)..];
        }

        return null;
    }
}
