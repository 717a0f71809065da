using DependencyProxy.Caching;
using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Registry;

/// <summary>
/// GET|HEAD <c>&lt;name&gt;/referrers/&lt;digest&gt;</c> (OCI distribution spec 1.1, "Listing Referrers"): an image index of the
/// subject's referrers, 200 with an empty list when there are none, filtered here by <c>?artifactType=</c>.
/// </summary>
internal static class ReferrersEndpoint
{
    /// <summary>Tells the client which of its filters the answer applied (spec: "OCI-Filters-Applied").</summary>
    public const string FiltersAppliedHeader = "OCI-Filters-Applied";

    public static Task<IResult> HandleAsync(
        HttpContext context, long groupId, UpstreamRepository repository, RegistryPath path, TimeSpan revalidationWindow,
        UpstreamReferrers referrers) =>
        HandleAsync(context, () => referrers.GetAsync(groupId, repository, path.Digest!.Value, revalidationWindow, context.RequestAborted));

    /// <summary>Answers the referrers <paramref name="getReferrers"/> gives, filtered by the request's <c>artifactType</c>.</summary>
    public static Task<IResult> HandleAsync(
        HttpContext context, Func<Task<(IReadOnlyList<ReferrerDescriptor> Descriptors, bool Stale)>> getReferrers) =>
        OciFailures.AnswerAsync(RegistryResource.Referrers, async () =>
        {
            var filters = context.Request.Query["artifactType"];
            if (filters.Count > 1 || (filters.Count == 1 && !ReferrersIndex.IsValidArtifactType(filters[0])))
            {
                return ArtifactTypeInvalid(filters.Count > 1
                    ? "give at most one artifactType filter"
                    : $"artifactType must be a media type such as application/spdx+json (type/subtype, at most {ReferrersIndex.MaxArtifactTypeLength} characters)")
                    .ToResult();
            }

            var (descriptors, stale) = await getReferrers();
            var artifactType = filters.Count == 1 ? filters[0] : null;
            if (artifactType is not null)
            {
                context.Response.Headers[FiltersAppliedHeader] = "artifactType";
            }

            if (stale)
            {
                context.Response.Headers[ManifestEndpoint.CacheStatusHeader] = "stale";
            }

            return TypedResults.Bytes(ReferrersIndex.Write(descriptors, artifactType), ManifestMediaTypes.OciIndex);
        });

    private static OciError ArtifactTypeInvalid(string message) => new(400, "ARTIFACT_TYPE_INVALID", message);
}
