using System.Text;
using DependencyProxy.Registry;
using DependencyProxy.Storage;

namespace DependencyProxy.Tests.Storage;

public sealed class FileSystemContentStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"dp-store-{Guid.NewGuid():N}");

    [Fact]
    public void TempFileHeldOpenByAWriter_SurvivesCleanup_AndAnAbandonedOneDoesNot()
    {
        var store = new FileSystemContentStore(_directory);
        var digest = Digest.Sha256Of(Encoding.UTF8.GetBytes("x"));
        var live = store.CreateTemp(digest);
        var abandoned = Path.Combine(store.TempDirectory, "abandoned.part");
        File.WriteAllText(abandoned, "half");

        Assert.Equal(1, store.DeleteAbandonedTempFiles());
        Assert.True(File.Exists(live.Path));
        Assert.False(File.Exists(abandoned));
        live.Discard();
    }

    [Fact]
    public async Task PutAsync_RefusesContentThatDoesNotMatchItsDigest()
    {
        var store = new FileSystemContentStore(_directory);
        var digest = Digest.Sha256Of(Encoding.UTF8.GetBytes("right"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PutAsync(digest, Encoding.UTF8.GetBytes("wrong"), default));
        Assert.False(store.Exists(digest));
        await store.PutAsync(digest, Encoding.UTF8.GetBytes("right"), default);
        Assert.Equal("right", File.ReadAllText(store.PathFor(digest)));
        Assert.Empty(Directory.GetFiles(store.TempDirectory));
    }

    [Fact]
    public async Task CommittingTheSameDigestTwice_KeepsOneIntactFile()
    {
        var store = new FileSystemContentStore(_directory);
        var content = Encoding.UTF8.GetBytes("same");
        var digest = Digest.Sha256Of(content);
        await store.PutAsync(digest, content, default);
        using var reader = store.TryOpenRead(digest)!;
        await store.PutAsync(digest, content, default);
        Assert.Equal(content, File.ReadAllBytes(store.PathFor(digest)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
