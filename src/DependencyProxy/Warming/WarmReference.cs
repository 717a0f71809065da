using System.Diagnostics.CodeAnalysis;
using DependencyProxy.Oci;

namespace DependencyProxy.Warming;

/// <summary>
/// An image reference as <c>docker pull</c> takes it: <c>[registry/]name[:tag][@digest]</c>, no reference part meaning
/// <c>latest</c>. The name follows the registry path's grammar (<see cref="RegistryPath.IsValidComponent"/>), so whatever
/// a warm-up accepts a pull could ask for. With both a tag and a digest the digest is fetched, as docker does.
/// </summary>
/// <param name="Image">The name with its registry host, if any (<c>alpine</c>, <c>ghcr.io/org/app</c>): what <c>UpstreamResolver</c> resolves.</param>
/// <param name="Tag">The tag (<c>latest</c> when the reference names neither a tag nor a digest).</param>
/// <param name="Digest">The digest, when given: then the manifest is fetched by it.</param>
internal sealed record WarmReference(string Image, string? Tag, Digest? Digest)
{
    /// <summary>The tag docker pulls when a reference names none.</summary>
    public const string DefaultTag = "latest";

    public static bool TryParse(string text, [NotNullWhen(true)] out WarmReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        if (text.Length == 0 || text.Length > Data.WarmJobImage.MaxReferenceLength)
        {
            error = $"must be 1 to {Data.WarmJobImage.MaxReferenceLength} characters";
            return false;
        }

        var name = text;
        Oci.Digest? digest = null;
        if (name.IndexOf('@') is var at and >= 0)
        {
            if (!Oci.Digest.TryParse(name[(at + 1)..], out var parsed, out var why))
            {
                error = $"invalid digest: {why}";
                return false;
            }

            digest = parsed;
            name = name[..at];
        }

        string? tag = null;
        var lastSlash = name.LastIndexOf('/');
        if (name.LastIndexOf(':') is var colon && colon > lastSlash)
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!RegistryPath.IsValidTag(tag))
            {
                error = "invalid tag: letters, digits, '_', '.' and '-', at most 128 characters, not starting with '.' or '-'";
                return false;
            }
        }

        if (!TryCheckName(name, out error))
        {
            return false;
        }

        reference = new WarmReference(name, digest is null ? tag ?? DefaultTag : tag, digest);
        return true;
    }

    /// <summary>The registry host of the name, when it has one (docker's rule: a first component with '.' or ':', or localhost).</summary>
    public string? Host => Image.Split('/') is { Length: > 1 } parts && (parts[0].Contains('.') || parts[0].Contains(':') || parts[0] == "localhost")
        ? parts[0]
        : null;

    /// <summary>The name without its registry host: what a virtual registry's upstreams are asked for.</summary>
    public string Repository => Host is { } host ? Image[(host.Length + 1)..] : Image;

    /// <summary>The reference's part after the name: what the manifest is fetched by.</summary>
    public override string ToString() => Image + (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");

    private static bool TryCheckName(string name, [NotNullWhen(false)] out string? error)
    {
        var components = name.Split('/');
        var start = components.Length > 1 && (components[0].Contains('.') || components[0].Contains(':') || components[0] == "localhost") ? 1 : 0;
        if (start == 1 && !IsHost(components[0]))
        {
            error = $"invalid registry host '{components[0]}'";
            return false;
        }

        var repository = string.Join('/', components[start..]);
        if (repository.Length is 0 or > RegistryPath.MaxNameLength)
        {
            error = $"the repository name must be 1 to {RegistryPath.MaxNameLength} characters";
            return false;
        }

        if (!components[start..].All(RegistryPath.IsValidComponent))
        {
            error = "invalid repository name: each path component must be lowercase letters and digits, separated by '.', '_', '__' or '-'";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>A host name with an optional port, as docker accepts it (the resolver then decides whether it is configured).</summary>
    private static bool IsHost(string host) =>
        host.Length <= 255 && host.Split(':') is { Length: <= 2 } parts
        && parts[0].Split('.').All(label => label.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(label[0]) && char.IsAsciiLetterOrDigit(label[^1])
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        && (parts.Length == 1 || (int.TryParse(parts[1], System.Globalization.NumberStyles.None, null, out var port) && port is > 0 and < 65536));
}
