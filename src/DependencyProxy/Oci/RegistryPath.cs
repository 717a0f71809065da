using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace DependencyProxy.Oci;

internal enum RegistryResource
{
    Manifest,
    Blob,

    /// <summary><c>&lt;name&gt;/tags/list</c>: no reference.</summary>
    TagList,

    /// <summary><c>&lt;name&gt;/referrers/&lt;digest&gt;</c>: the subject's digest.</summary>
    Referrers,
}

/// <summary>
/// A parsed <c>/v2/&lt;group&gt;/dependency_proxy/containers/&lt;image&gt;/(manifests|blobs|referrers)/&lt;reference&gt;</c>
/// or <c>…/&lt;image&gt;/tags/list</c> path.
/// Every registry route goes through <see cref="TryParse"/>: repository names contain slashes, so splitting
/// strings in several handlers would let them disagree.
/// </summary>
internal sealed partial record RegistryPath(
    string GroupPath,
    string Image,
    RegistryResource Resource,
    string? Tag,
    Digest? Digest,
    string? MirrorName = null)
{
    /// <summary>The whole repository name limit from the distribution spec.</summary>
    public const int MaxNameLength = 255;

    private const string ProxySegment = "dependency_proxy";
    private const string ContainersSegment = "containers";
    private const string VirtualSegment = "virtual_registries";
    private const string ContainerSegment = "container";

    /// <summary>Ids are database keys: positive, and at most 18 digits so that they always fit a long.</summary>
    private const int MaxIdDigits = 18;

    /// <summary>
    /// The virtual registry a <c>virtual_registries/container/&lt;id&gt;/&lt;image&gt;/…</c> path names (GitLab's container
    /// virtual registries); null for a group or mirror path. <see cref="GroupPath"/> is then empty: the registry's row says
    /// which top-level group it belongs to.
    /// </summary>
    public long? VirtualRegistryId { get; init; }

    /// <summary>The tag or digest as the client wrote it; empty for a tag list, which names none.</summary>
    public string Reference => Tag ?? Digest?.ToString() ?? InvalidTag ?? "";

    /// <summary>
    /// A manifest reference that is neither a digest nor a valid tag (the conformance suite's <c>.INVALID_MANIFEST_NAME</c>):
    /// no manifest can be found by it, so it is answered 404 <c>MANIFEST_UNKNOWN</c> once access is checked, and it is never
    /// sent upstream or looked up (<see cref="Tag"/> and <see cref="Digest"/> are both null).
    /// </summary>
    public string? InvalidTag { get; init; }

    /// <summary>
    /// Parses the part of the request path after <c>/v2/</c>. The input is the path as the server decoded it;
    /// a percent sign can only come from an encoded character that no valid name contains, so it is refused.
    /// </summary>
    public static bool TryParse(string path, [NotNullWhen(true)] out RegistryPath? result, [NotNullWhen(false)] out OciError? error)
    {
        result = null;
        var segments = path.Split('/');
        if (segments.Length < 5)
        {
            error = OciError.NotFound("not a dependency proxy path: use /v2/<group>/dependency_proxy/containers/<image>/manifests/<tag>");
            return false;
        }

        var resource = ResourceOf(segments);
        if (resource is not null && segments[0] == VirtualSegment && segments[1] == ContainerSegment)
        {
            return TryParseVirtual(segments, resource.Value, out result, out error);
        }

        var proxyIndex = FindProxySegments(segments);
        if (resource is null || proxyIndex < 0)
        {
            error = OciError.NotFound("not a dependency proxy path: use /v2/<group>/dependency_proxy/containers/<image>/manifests/<tag>");
            return false;
        }

        var nameSegments = segments[..^2];
        var name = string.Join('/', nameSegments);
        if (name.Length > MaxNameLength)
        {
            error = OciError.NameInvalid($"repository name is longer than {MaxNameLength} characters");
            return false;
        }

        var groupSegments = nameSegments[..proxyIndex];
        var imageSegments = nameSegments[(proxyIndex + 2)..];
        if (groupSegments.Length == 0 || imageSegments.Length == 0)
        {
            error = OciError.NameInvalid("both a group path and an image name are required");
            return false;
        }

        if (!groupSegments.All(IsValidComponent) || !imageSegments.All(IsValidComponent))
        {
            error = OciError.NameInvalid(
                "invalid repository name: each path component must be lowercase letters and digits, separated by '.', '_', '__' or '-'");
            return false;
        }

        if (!TryParseReference(resource.Value, segments[^1], out var tag, out var digest, out var invalidTag, out error))
        {
            return false;
        }

        result = new RegistryPath(string.Join('/', groupSegments), string.Join('/', imageSegments), resource.Value, tag, digest)
        {
            InvalidTag = invalidTag,
        };
        return true;
    }

    /// <summary>
    /// Parses a repository name as it appears in a token scope (<c>&lt;group&gt;/dependency_proxy/containers/&lt;image&gt;</c>),
    /// with the same rules as a request path.
    /// </summary>
    public static bool TryParseRepository(string name, [NotNullWhen(true)] out RegistryPath? result) =>
        TryParse($"{name}/manifests/latest", out result, out _);

    /// <summary>
    /// The repository name the client uses, as in its token scope: <c>&lt;group&gt;/dependency_proxy/containers/&lt;image&gt;</c>,
    /// or in mirror mode the bare name it sent (<c>library/alpine</c>).
    /// </summary>
    public string RepositoryName => MirrorName
        ?? (VirtualRegistryId is { } id ? $"{VirtualSegment}/{ContainerSegment}/{id}/{Image}" : $"{GroupPath}/{ProxySegment}/{ContainersSegment}/{Image}");

    /// <summary>
    /// Parses a registry-mirror request, <c>&lt;name&gt;/(manifests|blobs|referrers)/&lt;reference&gt;</c> or
    /// <c>&lt;name&gt;/tags/list</c> with no group in it, as dockerd's
    /// <c>registry-mirrors</c> and containerd's mirrors send it; it is served by <paramref name="mirrorGroup"/>. containerd's
    /// <c>ns</c> (the registry the client meant) becomes the image's host, so the same upstream allowlist decides.
    /// </summary>
    public static bool TryParseMirror(string path, string mirrorGroup, string? ns, [NotNullWhen(true)] out RegistryPath? result,
        [NotNullWhen(false)] out OciError? error)
    {
        result = null;
        var segments = path.Split('/');
        var resource = segments.Length >= 3 ? ResourceOf(segments) : null;
        if (resource is null)
        {
            error = OciError.NotFound(
                "not a registry path: use /v2/<name>/manifests/<tag>, /v2/<name>/blobs/<digest>, /v2/<name>/tags/list or /v2/<name>/referrers/<digest>");
            return false;
        }

        var nameSegments = segments[..^2];
        var name = string.Join('/', nameSegments);
        if (name.Length > MaxNameLength || !nameSegments.All(IsValidComponent))
        {
            error = OciError.NameInvalid("invalid repository name: each path component must be lowercase letters and digits, separated by '.', '_', '__' or '-'");
            return false;
        }

        if (ns is not null && (ns.Length is 0 or > 255 || ns.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':'))))
        {
            error = OciError.NameInvalid("invalid ns parameter: it names a registry host");
            return false;
        }

        if (!TryParseReference(resource.Value, segments[^1], out var tag, out var digest, out var invalidTag, out error))
        {
            return false;
        }

        // Docker Hub is the default upstream, so its own name adds nothing; another host is prefixed as in a group path.
        var image = ns is null || DockerHub.IsHost(ns) ? name : $"{ns.ToLowerInvariant()}/{name}";
        result = new RegistryPath(mirrorGroup, image, resource.Value, tag, digest, name) { InvalidTag = invalidTag };
        return true;
    }

    /// <summary>
    /// <c>virtual_registries/container/&lt;id&gt;/&lt;image&gt;/(manifests|blobs|referrers)/&lt;reference&gt;</c> or <c>…/tags/list</c>.
    /// This prefix always means a virtual registry, as on GitLab (where it is a reserved path). An id that is not a
    /// positive whole number is refused as a bad name (400), before any lookup: it tells nothing about what exists.
    /// </summary>
    private static bool TryParseVirtual(string[] segments, RegistryResource resource, [NotNullWhen(true)] out RegistryPath? result,
        [NotNullWhen(false)] out OciError? error)
    {
        result = null;
        var nameSegments = segments[..^2];
        if (nameSegments.Length < 4)
        {
            error = OciError.NameInvalid("both a virtual registry id and an image name are required: /v2/virtual_registries/container/<id>/<image>/…");
            return false;
        }

        var idText = nameSegments[2];
        if (idText.Length is 0 or > MaxIdDigits || !idText.All(char.IsAsciiDigit) || !long.TryParse(idText, out var id) || id <= 0)
        {
            error = OciError.NameInvalid("a virtual registry id is a positive whole number: /v2/virtual_registries/container/<id>/<image>/…");
            return false;
        }

        var imageSegments = nameSegments[3..];
        if (string.Join('/', nameSegments).Length > MaxNameLength)
        {
            error = OciError.NameInvalid($"repository name is longer than {MaxNameLength} characters");
            return false;
        }

        if (!imageSegments.All(IsValidComponent))
        {
            error = OciError.NameInvalid(
                "invalid repository name: each path component must be lowercase letters and digits, separated by '.', '_', '__' or '-'");
            return false;
        }

        if (!TryParseReference(resource, segments[^1], out var tag, out var digest, out var invalidTag, out error))
        {
            return false;
        }

        result = new RegistryPath("", string.Join('/', imageSegments), resource, tag, digest) { InvalidTag = invalidTag, VirtualRegistryId = id };
        return true;
    }

    /// <summary>One component of a repository name, as the distribution spec defines it.</summary>
    public static bool IsValidComponent(string component) => ComponentRegex().IsMatch(component);

    public static bool IsValidTag(string tag) => TagRegex().IsMatch(tag);

    /// <summary>
    /// The resource the last two segments name, or null. Only those two decide, so an image may itself be called
    /// "tags", "manifests" or "referrers"; <c>tags</c> is followed by <c>list</c> and nothing else.
    /// </summary>
    private static RegistryResource? ResourceOf(string[] segments) => segments[^2] switch
    {
        "manifests" => RegistryResource.Manifest,
        "blobs" => RegistryResource.Blob,
        "referrers" => RegistryResource.Referrers,
        "tags" when segments[^1] == "list" => RegistryResource.TagList,
        _ => null,
    };

    private static int FindProxySegments(string[] segments)
    {
        // The last two segments are the resource kind and the reference; the marker must come before them.
        for (var i = 0; i < segments.Length - 3; i++)
        {
            if (segments[i] == ProxySegment && segments[i + 1] == ContainersSegment)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// A blob's reference, or a manifest's containing ':', must be a digest (400 <c>DIGEST_INVALID</c> otherwise). Any other
    /// manifest reference that breaks the tag grammar names nothing: the spec's answer for that is 404 (§Pulling manifests),
    /// given in <see cref="InvalidTag"/>, not 400.
    /// </summary>
    private static bool TryParseReference(RegistryResource resource, string reference, out string? tag, out Digest? digest,
        out string? invalidTag, [NotNullWhen(false)] out OciError? error)
    {
        tag = null;
        digest = null;
        invalidTag = null;
        if (resource == RegistryResource.TagList)
        {
            error = null;
            return true;
        }

        // A blob or a referrers subject is always a digest (the spec answers anything else with DIGEST_INVALID).
        if (resource is RegistryResource.Blob or RegistryResource.Referrers || reference.Contains(':'))
        {
            if (!Oci.Digest.TryParse(reference, out var parsed, out var why))
            {
                error = OciError.DigestInvalid(why);
                return false;
            }

            digest = parsed;
            error = null;
            return true;
        }

        if (!IsValidTag(reference))
        {
            invalidTag = reference;
        }
        else
        {
            tag = reference;
        }

        error = null;
        return true;
    }

    [GeneratedRegex("^[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ComponentRegex();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();
}
