using DependencyProxy.Oci;
using DependencyProxy.Upstream;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Data;

/// <summary>
/// The metadata model. Times are UTC <see cref="DateTime"/>: SQLite can compare them as text and PostgreSQL
/// maps them to timestamptz, so TTL queries work on both (DateTimeOffset cannot be ordered on SQLite).
/// </summary>
internal partial class ProxyDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Group> Groups => Set<Group>();

    public DbSet<CachedManifest> CachedManifests => Set<CachedManifest>();

    public DbSet<CachedBlob> CachedBlobs => Set<CachedBlob>();

    public DbSet<CachedListing> CachedListings => Set<CachedListing>();

    public DbSet<User> Users => Set<User>();

    public DbSet<PersonalAccessToken> PersonalAccessTokens => Set<PersonalAccessToken>();

    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();

    public DbSet<ExternalSignIn> ExternalSignIns => Set<ExternalSignIn>();

    public DbSet<DeployToken> DeployTokens => Set<DeployToken>();

    public DbSet<GroupUpstreamCredential> GroupUpstreamCredentials => Set<GroupUpstreamCredential>();

    public DbSet<Lease> Leases => Set<Lease>();

    public DbSet<SharedKey> SharedKeys => Set<SharedKey>();

    public DbSet<VirtualRegistry> VirtualRegistries => Set<VirtualRegistry>();

    public DbSet<VirtualRegistryUpstream> VirtualRegistryUpstreams => Set<VirtualRegistryUpstream>();

    public DbSet<VirtualRegistryUpstreamLink> VirtualRegistryUpstreamLinks => Set<VirtualRegistryUpstreamLink>();

    public DbSet<VirtualRegistryCleanupPolicy> VirtualRegistryCleanupPolicies => Set<VirtualRegistryCleanupPolicy>();

    public DbSet<CiIdentityTrust> CiIdentityTrusts => Set<CiIdentityTrust>();

    public DbSet<CiIdentityPull> CiIdentityPulls => Set<CiIdentityPull>();

    public DbSet<WarmJob> WarmJobs => Set<WarmJob>();

    public DbSet<WarmJobImage> WarmJobImages => Set<WarmJobImage>();

    public DbSet<SyncRule> SyncRules => Set<SyncRule>();

    public DbSet<SyncRulePin> SyncRulePins => Set<SyncRulePin>();

    public DbSet<WebHook> WebHooks => Set<WebHook>();

    public DbSet<OutboxEvent> OutboxEvents => Set<OutboxEvent>();

    public DbSet<WebHookDelivery> WebHookDeliveries => Set<WebHookDelivery>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Lease>(lease =>
        {
            lease.HasKey(l => l.Name);
            lease.Property(l => l.Name).HasMaxLength(128);
            lease.Property(l => l.Owner).HasMaxLength(512);
        });

        modelBuilder.Entity<SharedKey>(key =>
        {
            key.HasKey(k => k.Name);
            key.Property(k => k.Name).HasMaxLength(255);
        });

        modelBuilder.Entity<Group>(group =>
        {
            group.Property(g => g.Path).HasMaxLength(255);
            group.Property(g => g.FullPath).HasMaxLength(255);
            group.Property(g => g.Name).HasMaxLength(255);
            group.HasIndex(g => g.FullPath).IsUnique();
            group.Property(g => g.Visibility).HasMaxLength(16);
            group.Property(g => g.Description).HasMaxLength(2000);
            group.Property(g => g.CleanupTtlDays).HasDefaultValue(90);
            group.HasOne(g => g.Parent).WithMany().HasForeignKey(g => g.ParentId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<User>(user =>
        {
            user.Property(u => u.Username).HasMaxLength(255);
            user.Property(u => u.Email).HasMaxLength(255);
            user.Property(u => u.Name).HasMaxLength(255);
            user.Property(u => u.SecurityStamp).HasMaxLength(64);
            user.HasIndex(u => u.Username).IsUnique();
            user.HasIndex(u => u.Email).IsUnique();
            user.HasOne<Group>().WithMany().HasForeignKey(u => u.BotGroupId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<PersonalAccessToken>(token =>
        {
            token.Property(t => t.Name).HasMaxLength(255);
            token.Property(t => t.Scopes).HasMaxLength(255);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<GroupMember>(member =>
        {
            member.HasIndex(m => new { m.GroupId, m.UserId }).IsUnique();
            member.HasIndex(m => m.UserId);
            member.HasOne<Group>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
            member.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ExternalSignIn>(signIn =>
        {
            signIn.Property(s => s.Issuer).HasMaxLength(2048);
            signIn.Property(s => s.Subject).HasMaxLength(255);
            signIn.HasIndex(s => new { s.Issuer, s.Subject }).IsUnique();
            signIn.HasIndex(s => s.UserId);
            signIn.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<DeployToken>(token =>
        {
            token.Property(t => t.Name).HasMaxLength(255);
            token.Property(t => t.Username).HasMaxLength(255);
            token.Property(t => t.Scopes).HasMaxLength(255);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.Username).IsUnique();
            token.HasOne<Group>().WithMany().HasForeignKey(t => t.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<GroupUpstreamCredential>(credential =>
        {
            credential.Property(c => c.Registry).HasMaxLength(255);
            credential.Property(c => c.Identity).HasMaxLength(255);
            credential.HasIndex(c => new { c.GroupId, c.Registry }).IsUnique();
            credential.HasOne<Group>().WithMany().HasForeignKey(c => c.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CachedManifest>(manifest =>
        {
            manifest.Property(m => m.Registry).HasMaxLength(255);
            manifest.Property(m => m.Repository).HasMaxLength(255);
            manifest.Property(m => m.Reference).HasMaxLength(200);
            manifest.Property(m => m.Digest).HasMaxLength(200);
            manifest.Property(m => m.MediaType).HasMaxLength(255);
            manifest.HasIndex(m => new { m.GroupId, m.VirtualUpstreamId, m.Registry, m.Repository, m.Reference }).IsUnique();
            manifest.HasIndex(m => new { m.GroupId, m.VirtualUpstreamId, m.Registry, m.Repository, m.Digest });
            manifest.Property(m => m.Status).HasMaxLength(32).HasDefaultValue(CacheStatus.Default);
            manifest.HasIndex(m => m.Digest);
            manifest.HasIndex(m => new { m.GroupId, m.ReadAt });
            manifest.HasOne<Group>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CachedBlob>(blob =>
        {
            blob.Property(b => b.Digest).HasMaxLength(200);
            blob.Property(b => b.Source).HasMaxLength(600);
            blob.HasIndex(b => new { b.GroupId, b.VirtualUpstreamId, b.Digest }).IsUnique();
            blob.HasIndex(b => b.Digest);
            blob.Property(b => b.Status).HasMaxLength(32).HasDefaultValue(CacheStatus.Default);
            blob.HasIndex(b => new { b.GroupId, b.ReadAt });
            blob.HasOne<Group>().WithMany().HasForeignKey(b => b.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CachedListing>(listing =>
        {
            listing.Property(l => l.Registry).HasMaxLength(255);
            listing.Property(l => l.Image).HasMaxLength(255);
            listing.Property(l => l.Kind).HasMaxLength(16);
            listing.Property(l => l.Key).HasMaxLength(200);
            listing.HasIndex(l => new { l.GroupId, l.VirtualUpstreamId, l.Registry, l.Image, l.Kind, l.Key }).IsUnique();
            listing.HasOne<Group>().WithMany().HasForeignKey(l => l.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        OnVirtualRegistriesCreating(modelBuilder);
        OnCiIdentityCreating(modelBuilder);
        OnWarmingCreating(modelBuilder);
        OnSyncRulesCreating(modelBuilder);
        OnWebhooksCreating(modelBuilder);
    }

    private static void OnCiIdentityCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CiIdentityTrust>(trust =>
        {
            trust.Property(t => t.Name).HasMaxLength(FieldLimits.Name);
            trust.Property(t => t.IssuerUrl).HasMaxLength(FieldLimits.Url);
            trust.Property(t => t.Audience).HasMaxLength(FieldLimits.Other);
            trust.Property(t => t.Claims).HasMaxLength(FieldLimits.CiTrustClaims);
            trust.HasIndex(t => t.GroupId);
            trust.HasIndex(t => t.IssuerUrl);
            trust.HasOne<Group>().WithMany().HasForeignKey(t => t.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<CiIdentityPull>(pull =>
        {
            pull.Property(p => p.TrustName).HasMaxLength(FieldLimits.Name);
            pull.Property(p => p.Issuer).HasMaxLength(FieldLimits.Url);
            pull.Property(p => p.Subject).HasMaxLength(FieldLimits.Other);
            pull.Property(p => p.Repository).HasMaxLength(CiIdentityPull.MaxRepositoryLength);
            pull.HasIndex(p => new { p.GroupId, p.At });
            pull.HasOne<Group>().WithMany().HasForeignKey(p => p.GroupId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static void OnVirtualRegistriesCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<VirtualRegistry>(registry =>
        {
            registry.Property(r => r.Name).HasMaxLength(FieldLimits.Name);
            registry.Property(r => r.Description).HasMaxLength(FieldLimits.VirtualRegistryDescription);
            registry.HasIndex(r => new { r.GroupId, r.Name }).IsUnique();
            registry.HasOne<Group>().WithMany().HasForeignKey(r => r.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<VirtualRegistryUpstream>(upstream =>
        {
            upstream.Property(u => u.Name).HasMaxLength(FieldLimits.Name);
            upstream.Property(u => u.Description).HasMaxLength(FieldLimits.VirtualRegistryDescription);
            upstream.Property(u => u.Url).HasMaxLength(FieldLimits.Url);
            upstream.Property(u => u.Username).HasMaxLength(FieldLimits.Identity);
            // The sentinel is the initializer's 24, not int's 0: otherwise EF leaves a 0 out of the INSERT and the column's
            // default turns "never re-check" into 24 hours.
            upstream.Property(u => u.CacheValidityHours).HasDefaultValue(24).HasSentinel(24);
            upstream.HasIndex(u => u.GroupId);
            upstream.HasOne<Group>().WithMany().HasForeignKey(u => u.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<VirtualRegistryUpstreamLink>(link =>
        {
            // Not unique on position: a move shifts the others in the same transaction, which would collide midway.
            link.HasIndex(l => new { l.RegistryId, l.UpstreamId }).IsUnique();
            link.HasIndex(l => new { l.RegistryId, l.Position });
            link.HasIndex(l => l.UpstreamId);
            link.HasOne<VirtualRegistry>().WithMany().HasForeignKey(l => l.RegistryId).OnDelete(DeleteBehavior.Cascade);
            link.HasOne<VirtualRegistryUpstream>().WithMany().HasForeignKey(l => l.UpstreamId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<VirtualRegistryCleanupPolicy>(policy =>
        {
            policy.HasKey(p => p.GroupId);
            policy.Property(p => p.GroupId).ValueGeneratedNever();
            policy.Property(p => p.Status).HasMaxLength(16);
            policy.Property(p => p.FailureMessage).HasMaxLength(255);
            policy.HasOne<Group>().WithOne().HasForeignKey<VirtualRegistryCleanupPolicy>(p => p.GroupId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
