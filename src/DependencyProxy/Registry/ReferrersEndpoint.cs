using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Registry;

/// <summary>
/// GET|HEAD <c>&lt;name&gt;/referrers/&lt;digest&gt;</c> (OCI distribution spec 1.1). Routed and access-checked like a manifest;
/// until the referrers API is served, it answers 404 as a registry without it does.
/// </summary>
internal static class ReferrersEndpoint
{
    public static Task<IResult> HandleAsync(
        HttpContext context, long groupId, UpstreamRepository repository, RegistryPath path, TimeSpan revalidationWindow) =>
        Task.FromResult(OciError.NotFound($"the referrers API is not implemented yet (subject {path.Digest})").ToResult());
}
