using DependencyProxy.Oci;
using DependencyProxy.Registry;

namespace DependencyProxy.Tests.Registry;

public sealed class RegistryPathTests
{
    private static readonly string Sha = "sha256:" + new string('a', 64);

    [Theory]
    [InlineData("grp/dependency_proxy/containers/alpine/manifests/latest", "grp", "alpine", RegistryResource.Manifest, "latest")]
    [InlineData("org/team/sub/dependency_proxy/containers/bitnami/redis/manifests/7.2-alpine", "org/team/sub", "bitnami/redis",
        RegistryResource.Manifest, "7.2-alpine")]
    [InlineData("grp/dependency_proxy/containers/a/b/c/manifests/_x", "grp", "a/b/c", RegistryResource.Manifest, "_x")]
    [InlineData("my.org/dependency_proxy/containers/docker.io/library/alpine/manifests/3", "my.org", "docker.io/library/alpine",
        RegistryResource.Manifest, "3")]
    // An image may itself be called "manifests" or "blobs": only the last two segments name the resource.
    [InlineData("grp/dependency_proxy/containers/manifests/manifests/latest", "grp", "manifests", RegistryResource.Manifest, "latest")]
    // The resource is boxed: xUnit theories are public and RegistryResource is internal.
    public void ValidPaths_AreSplitIntoTheirParts(string path, string group, string image, object resource, string reference)
    {
        Assert.True(RegistryPath.TryParse(path, out var parsed, out var error), error?.Message);
        Assert.Equal(group, parsed.GroupPath);
        Assert.Equal(image, parsed.Image);
        Assert.Equal((RegistryResource)resource, parsed.Resource);
        Assert.Equal(reference, parsed.Reference);
    }

    [Fact]
    public void DigestReferences_AreParsedAsDigests()
    {
        Assert.True(RegistryPath.TryParse($"grp/dependency_proxy/containers/alpine/manifests/{Sha}", out var manifest, out _));
        Assert.Equal(Sha, manifest.Digest.ToString());
        Assert.Null(manifest.Tag);
        Assert.True(RegistryPath.TryParse($"grp/dependency_proxy/containers/alpine/blobs/{Sha}", out var blob, out _));
        Assert.Equal(RegistryResource.Blob, blob.Resource);
    }

    [Theory]
    // Traversal and encodings
    [InlineData("grp/dependency_proxy/containers/../etc/manifests/latest", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/a%2Fb/manifests/latest", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/a%2e%2e/manifests/latest", "NAME_INVALID")]
    [InlineData("../dependency_proxy/containers/alpine/manifests/latest", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/a\\b/manifests/latest", "NAME_INVALID")]
    [InlineData("grp//dependency_proxy/containers/alpine/manifests/latest", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers//alpine/manifests/latest", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine\0/manifests/latest", "NAME_INVALID")]
    // Case, separators, unicode
    [InlineData("grp/dependency_proxy/containers/Alpine/manifests/latest", "NAME_INVALID")]
    [InlineData("GRP/dependency_proxy/containers/alpine/manifests/latest", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/-alpine/manifests/latest", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine./manifests/latest", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/al___pine/manifests/latest", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpïne/manifests/latest", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine:3/manifests/latest", "NAME_INVALID")]
    // Missing parts
    [InlineData("dependency_proxy/containers/alpine/manifests/latest", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/manifests/latest", "NAME_INVALID")]
    [InlineData("grp/alpine/manifests/latest", "NOT_FOUND")]
    [InlineData("grp/dependency_proxy/containers/alpine/tags/lists", "NOT_FOUND")]
    [InlineData("grp/dependency_proxy/containers/alpine/tags/", "NOT_FOUND")]
    [InlineData("grp/dependency_proxy/containers/alpine/tags/list/", "NOT_FOUND")]
    [InlineData("grp/dependency_proxy/containers/tags/list", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/Alpine/tags/list", "NAME_INVALID")]
    [InlineData("grp/dependency_proxy/containers/../x/tags/list", "NAME_INVALID")]
    [InlineData("", "NOT_FOUND")]
    // Digests
    [InlineData("grp/dependency_proxy/containers/alpine/blobs/latest", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine/blobs/sha256:abc", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine/blobs/md5:d41d8cd98f00b204e9800998ecf8427e", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine/manifests/sha384:abc", "DIGEST_INVALID")]
    // A manifest reference with ':' can only be a digest; a blob's always is: these stay 400 (conformance accepts 400 or 404).
    [InlineData("grp/dependency_proxy/containers/alpine/manifests/sha256:totallywrong", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine/manifests/latest:", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine/blobs/.INVALID_MANIFEST_NAME", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine/blobs/sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine/blobs/sha256:../../../../etc/passwd", "NOT_FOUND")]
    [InlineData("grp/dependency_proxy/containers/alpine/blobs/sha256:..%2F..%2Fetc%2Fpasswd", "DIGEST_INVALID")]
    // Referrers: the subject is a digest, never a tag
    [InlineData("grp/dependency_proxy/containers/alpine/referrers/latest", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine/referrers/", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine/referrers/sha256:abc", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine/referrers/sha256-aaaa.sig", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/alpine/referrers/sha256:ü", "DIGEST_INVALID")]
    [InlineData("grp/dependency_proxy/containers/referrers/sha256:aaaa", "NAME_INVALID")]
    public void HostilePaths_AreRefusedWithTheRightCode(string path, string code)
    {
        Assert.False(RegistryPath.TryParse(path, out _, out var error));
        Assert.Equal(code, error.Code);
        Assert.InRange(error.Status, 400, 404);
    }

    [Fact]
    public void TagLists_NameNoReference_AndAnImageMayBeCalledTags()
    {
        Assert.True(RegistryPath.TryParse("grp/dependency_proxy/containers/library/alpine/tags/list", out var list, out var error), error?.Message);
        Assert.Equal((RegistryResource.TagList, "grp", "library/alpine", "", null), (list.Resource, list.GroupPath, list.Image, list.Reference, list.Digest));
        Assert.Null(list.Tag);
        Assert.True(RegistryPath.TryParse("grp/dependency_proxy/containers/tags/tags/list", out var named, out _));
        Assert.Equal("tags", named.Image);
        Assert.True(RegistryPath.TryParse("grp/dependency_proxy/containers/tags/manifests/list", out var manifest, out _));
        Assert.Equal((RegistryResource.Manifest, "tags", "list"), (manifest.Resource, manifest.Image, manifest.Reference));
    }

    [Fact]
    public void Referrers_NameTheSubjectDigest()
    {
        Assert.True(RegistryPath.TryParse($"grp/dependency_proxy/containers/alpine/referrers/{Sha}", out var referrers, out var error), error?.Message);
        Assert.Equal(RegistryResource.Referrers, referrers.Resource);
        Assert.Equal(Sha, referrers.Digest.ToString());
        Assert.Null(referrers.Tag);
        Assert.True(RegistryPath.TryParse($"grp/dependency_proxy/containers/referrers/referrers/{Sha}", out var named, out _));
        Assert.Equal("referrers", named.Image);
    }

    [Theory]
    [InlineData("library/alpine/tags/list", "library/alpine", RegistryResource.TagList)]
    [InlineData("alpine/tags/list", "alpine", RegistryResource.TagList)]
    [InlineData("library/alpine/referrers/" + "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "library/alpine", RegistryResource.Referrers)]
    public void MirrorPaths_KnowTagListsAndReferrers(string path, string name, object resource)
    {
        Assert.True(RegistryPath.TryParseMirror(path, "mirror", null, out var parsed, out var error), error?.Message);
        Assert.Equal((RegistryResource)resource, parsed.Resource);
        Assert.Equal(name, parsed.RepositoryName);
        Assert.Equal("mirror", parsed.GroupPath);
    }

    [Theory]
    [InlineData("tags/list", "NOT_FOUND")]
    [InlineData("alpine/tags/everything", "NOT_FOUND")]
    [InlineData("Alpine/tags/list", "NAME_INVALID")]
    [InlineData("../alpine/tags/list", "NAME_INVALID")]
    [InlineData("alpine/referrers/latest", "DIGEST_INVALID")]
    [InlineData("alpine/referrers/sha256:zz", "DIGEST_INVALID")]
    public void HostileMirrorPaths_AreRefusedWithTheRightCode(string path, string code)
    {
        Assert.False(RegistryPath.TryParseMirror(path, "mirror", null, out _, out var error));
        Assert.Equal(code, error.Code);
        Assert.InRange(error.Status, 400, 404);
    }

    [Fact]
    public void TokenScopes_StillParse_ForImagesNamedLikeResources()
    {
        Assert.True(RegistryPath.TryParseRepository("grp/dependency_proxy/containers/library/alpine", out var plain));
        Assert.Equal("library/alpine", plain.Image);
        Assert.True(RegistryPath.TryParseRepository("grp/dependency_proxy/containers/x/tags", out var tags));
        Assert.Equal("x/tags", tags.Image);
        Assert.False(RegistryPath.TryParseRepository("grp/dependency_proxy/containers", out _));
    }

    // distribution-spec v1.1.1 §Pulling manifests: a manifest not in the repository is 404, so a reference that breaks the
    // tag grammar (and has no ':' to make it a digest) parses as one that names nothing, with neither Tag nor Digest set.
    [Theory]
    [InlineData(".INVALID_MANIFEST_NAME")]
    [InlineData(".hidden")]
    [InlineData("-x")]
    [InlineData("latest\n")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("%2e%2e")]
    [InlineData("t\u00e4g")]
    [InlineData("latest?x=1")]
    public void ManifestReferencesThatAreNoTag_ParseAsInvalidTags_NotAsTagsOrErrors(string reference)
    {
        foreach (var parsed in new[] { Parse($"grp/dependency_proxy/containers/alpine/manifests/{reference}"), ParseMirror($"library/alpine/manifests/{reference}") })
        {
            Assert.Null(parsed.Tag);
            Assert.Null(parsed.Digest);
            Assert.Equal(reference, parsed.InvalidTag);
            Assert.Equal(reference, parsed.Reference);
        }
    }

    [Fact]
    public void TagsUpTo128Characters_AreTags_AndLongerOnesNameNothing()
    {
        Assert.Equal(new string('t', 128), Parse($"grp/dependency_proxy/containers/alpine/manifests/{new string('t', 128)}").Tag);
        var longer = Parse($"grp/dependency_proxy/containers/alpine/manifests/{new string('t', 129)}");
        Assert.Null(longer.Tag);
        Assert.Equal(new string('t', 129), longer.InvalidTag);
    }

    [Fact]
    public void ValidTagsAndDigests_HaveNoInvalidTag()
    {
        Assert.Null(Parse("grp/dependency_proxy/containers/alpine/manifests/latest").InvalidTag);
        Assert.Null(Parse($"grp/dependency_proxy/containers/alpine/manifests/{Sha}").InvalidTag);
        Assert.Null(Parse($"grp/dependency_proxy/containers/alpine/blobs/{Sha}").InvalidTag);
    }

    private static RegistryPath Parse(string path)
    {
        Assert.True(RegistryPath.TryParse(path, out var parsed, out var error), error?.Message);
        return parsed;
    }

    private static RegistryPath ParseMirror(string path)
    {
        Assert.True(RegistryPath.TryParseMirror(path, "grp", null, out var parsed, out var error), error?.Message);
        return parsed;
    }

    [Fact]
    public void NamesLongerThan255Characters_AreRefused()
    {
        var image = string.Join('/', Enumerable.Repeat(new string('a', 50), 5));
        Assert.False(RegistryPath.TryParse($"grp/dependency_proxy/containers/{image}/manifests/latest", out _, out var error));
        Assert.Equal("NAME_INVALID", error.Code);
        Assert.Contains("255", error.Message);
    }

    [Fact]
    public void AVeryLongHostilePath_IsRefusedQuickly()
    {
        var path = string.Concat(Enumerable.Repeat("a-", 50_000)) + "/dependency_proxy/containers/x/manifests/latest";
        Assert.False(RegistryPath.TryParse(path, out _, out var error));
        Assert.Equal("NAME_INVALID", error.Code);
    }
}
