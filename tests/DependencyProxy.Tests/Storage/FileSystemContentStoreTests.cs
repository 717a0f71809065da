using System.Text;
using DependencyProxy.Oci;
using DependencyProxy.Registry;
using DependencyProxy.Storage;

namespace DependencyProxy.Tests.Storage;

public sealed class FileSystemContentStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"dp-store-{Guid.NewGuid():N}");

    [Fact]
    public void TempFileHeldOpenByAWriter_SurvivesCleanup_AndAnAbandonedOneDoesNot()
    {
        var spool = new ContentSpool(_directory);
        var digest = Digest.Sha256Of(Encoding.UTF8.GetBytes("x"));
        var live = spool.CreateTemp(digest);
        var abandoned = Path.Combine(spool.Directory, "abandoned.part");
        File.WriteAllText(abandoned, "half");

        Assert.Equal(1, spool.DeleteAbandonedTempFiles());
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
        Assert.Empty(Directory.GetFiles(new ContentSpool(_directory).Directory));
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

    [Fact]
    public void AfterAWriteFailsForLackOfRoom_NewContentIsRefusedForThirtySeconds_ThenTriedAgain()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new ContentSpool(_directory, minFreeBytes: 0, clock);
        store.EnsureRoomFor(1);

        Assert.IsType<StorageFullException>(store.Classify(new IOException("No space left on device", 28)));
        Assert.Throws<StorageFullException>(() => store.EnsureRoomFor(1));
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Throws<StorageFullException>(() => store.EnsureRoomFor(1));
        clock.Advance(TimeSpan.FromSeconds(2));
        store.EnsureRoomFor(1);

        // Other failures pass through unchanged and do not make the store refuse content.
        var broken = new IOException("Input/output error", 5);
        Assert.Same(broken, store.Classify(broken));
        store.EnsureRoomFor(1);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
