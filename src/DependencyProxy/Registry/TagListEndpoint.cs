using DependencyProxy.Oci;
using DependencyProxy.Upstream;

namespace DependencyProxy.Registry;

/// <summary>GET|HEAD <c>&lt;name&gt;/tags/list</c>.</summary>
internal static class TagListEndpoint
{
    public static Task<IResult> HandleAsync(
        HttpContext context, long groupId, UpstreamRepository repository, RegistryPath path, TimeSpan revalidationWindow) =>
        Task.FromResult(OciError.NotFound($"tag lists are not implemented yet ({path.RepositoryName})").ToResult());
}
