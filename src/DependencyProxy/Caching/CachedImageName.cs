using DependencyProxy.Oci;
using DependencyProxy.Registry;

namespace DependencyProxy.Caching;

/// <summary>An image as a person types it after the group's prefix: <c>alpine</c>, <c>library/alpine:3.19</c>, <c>ghcr.io/org/app@sha256:…</c>.</summary>
internal static class CachedImageName
{
    /// <summary>The image name and its reference (the tag, <c>latest</c> when none, or the digest); null when it is no image name.</summary>
    public static (string Name, string Reference)? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > RegistryPath.MaxNameLength + 200)
        {
            return null;
        }

        string name, reference;
        if (text.IndexOf('@') is var at and >= 0)
        {
            if (!Digest.TryParse(text[(at + 1)..], out var digest, out _))
            {
                return null;
            }

            (name, reference) = (text[..at], digest.ToString());
        }
        else
        {
            // A ':' after the last '/' starts the tag; one before it is a registry's port.
            var colon = text.LastIndexOf(':');
            (name, reference) = colon > text.LastIndexOf('/') ? (text[..colon], text[(colon + 1)..]) : (text, "latest");
            if (!RegistryPath.IsValidTag(reference))
            {
                return null;
            }
        }

        var components = name.Split('/');
        var first = components.Length > 1 && (components[0].Contains('.') || components[0].Contains(':') || components[0] == "localhost") ? 1 : 0;
        return name.Length is > 0 and <= RegistryPath.MaxNameLength && components.Skip(first).All(RegistryPath.IsValidComponent)
            && (first == 0 || Uri.CheckHostName(components[0].Split(':')[0]) != UriHostNameType.Unknown)
            ? (name, reference)
            : null;
    }
}
