using DependencyProxy.Groups;
using DependencyProxy.Identity;
using DependencyProxy.Oci;

namespace DependencyProxy.Auth;

/// <summary>The access check of a virtual registry pull (issue 18): the same answers as a group path's.</summary>
internal sealed partial class RegistryAuthorizer
{
    /// <summary>
    /// Returns the registry, its group and upstreams when the caller may pull from it, or the error to answer with. A registry
    /// that does not exist and one the caller may not see get the same answer (401 with the challenge for anonymous callers,
    /// 404 <c>NAME_UNKNOWN</c> otherwise), so ids reveal nothing.
    /// </summary>
    public async Task<(VirtualPullAccess? Access, OciError? Error)> AuthorizeVirtualPullAsync(HttpRequest request, RegistryPath path)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var repository = path.RepositoryName;
        var registryId = path.VirtualRegistryId ?? throw new ArgumentException("not a virtual registry path", nameof(path));
        var (claims, refused) = await PullClaimsAsync(request, repository);
        if (refused is not null)
        {
            return (null, refused);
        }

        var blobDigest = path.Resource == RegistryResource.Blob ? path.Digest?.ToString() : null;
        var found = await virtualPulls.FindAsync(registryId, claims, blobDigest, cancellationToken);
        if (await CallerAsync(found is not null, found?.Principal, claims, cancellationToken) is not { } principal)
        {
            return (null, Revoked(request, repository));
        }

        if (found is null || !GroupAccess.CanSee(found.Group, found.Level))
        {
            return principal.Kind == PrincipalKind.Anonymous
                ? (null, challenge.Unauthorized(request,
                    $"virtual registry {registryId} needs you to log in ('docker login {challenge.LoginHost(request)}') or does not exist", repository))
                : (null, OciError.NameUnknown($"virtual registry {registryId} does not exist or you do not have access to it"));
        }

        if (!CanReadVirtualRegistry(principal))
        {
            return (null, new OciError(403, "DENIED",
                "this token lacks a scope that reads virtual registries: create one with read_virtual_registry, read_registry or api and log in with it"));
        }

        return (found, null);
    }

    /// <summary>
    /// GitLab's rule for pulling from a virtual registry: a password login, or a token with <c>read_virtual_registry</c>
    /// (or <c>write_virtual_registry</c>), <c>read_registry</c>/<c>write_registry</c>, or <c>api</c>.
    /// </summary>
    public static bool CanReadVirtualRegistry(Principal principal) =>
        principal.CanReadRegistry || principal.HasScope(TokenScopes.Api)
        || principal.HasScope(ReadVirtualRegistryScope) || principal.HasScope(WriteVirtualRegistryScope);

    // Spelled here as well as where the token model names them (issue 18's API work), so a pull never depends on that.
    private const string ReadVirtualRegistryScope = "read_virtual_registry";
    private const string WriteVirtualRegistryScope = "write_virtual_registry";
}
