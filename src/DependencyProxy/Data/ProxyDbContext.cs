using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Data;

/// <summary>
/// The metadata model. Times are UTC <see cref="DateTime"/>: SQLite can compare them as text and PostgreSQL
/// maps them to timestamptz, so TTL queries work on both (DateTimeOffset cannot be ordered on SQLite).
/// </summary>
public class ProxyDbContext(DbContextOptions<ProxyDbContext> options) : DbContext(options)
{
    public DbSet<Group> Groups => Set<Group>();

    public DbSet<CachedManifest> CachedManifests => Set<CachedManifest>();

    public DbSet<CachedBlob> CachedBlobs => Set<CachedBlob>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Group>(group =>
        {
            group.Property(g => g.Path).HasMaxLength(255);
            group.Property(g => g.FullPath).HasMaxLength(255);
            group.Property(g => g.Name).HasMaxLength(255);
            group.HasIndex(g => g.FullPath).IsUnique();
            group.HasOne(g => g.Parent).WithMany().HasForeignKey(g => g.ParentId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<CachedManifest>(manifest =>
        {
            manifest.Property(m => m.Registry).HasMaxLength(255);
            manifest.Property(m => m.Repository).HasMaxLength(255);
            manifest.Property(m => m.Reference).HasMaxLength(200);
            manifest.Property(m => m.Digest).HasMaxLength(200);
            manifest.Property(m => m.MediaType).HasMaxLength(255);
            manifest.HasIndex(m => new { m.GroupId, m.Registry, m.Repository, m.Reference }).IsUnique();
            manifest.HasIndex(m => new { m.GroupId, m.Registry, m.Repository, m.Digest });
            manifest.HasOne<Group>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CachedBlob>(blob =>
        {
            blob.Property(b => b.Digest).HasMaxLength(200);
            blob.Property(b => b.Source).HasMaxLength(600);
            blob.HasIndex(b => new { b.GroupId, b.Digest }).IsUnique();
            blob.HasIndex(b => b.Digest);
            blob.HasOne<Group>().WithMany().HasForeignKey(b => b.GroupId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
