using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Data;

/// <summary>The model of the background work: warm-up jobs, sync rules and their pins, webhooks and their outbox.</summary>
internal partial class ProxyDbContext
{
    private static void OnWarmingCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WarmJob>(job =>
        {
            job.Property(j => j.Platforms).HasMaxLength(WarmJob.MaxPlatformsLength);
            job.Property(j => j.Status).HasMaxLength(16);
            job.HasIndex(j => new { j.GroupId, j.CreatedAt });
            job.HasIndex(j => j.Status);
            job.HasOne<Group>().WithMany().HasForeignKey(j => j.GroupId).OnDelete(DeleteBehavior.Cascade);
            job.HasOne<VirtualRegistry>().WithMany().HasForeignKey(j => j.VirtualRegistryId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<WarmJobImage>(image =>
        {
            image.Property(i => i.Reference).HasMaxLength(WarmJobImage.MaxReferenceLength);
            image.Property(i => i.Status).HasMaxLength(16);
            image.Property(i => i.Digest).HasMaxLength(200);
            image.Property(i => i.Error).HasMaxLength(WarmJobImage.MaxErrorLength);
            image.HasIndex(i => new { i.JobId, i.Position });
            image.HasOne<WarmJob>().WithMany().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static void OnSyncRulesCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SyncRule>(rule =>
        {
            rule.Property(r => r.Image).HasMaxLength(SyncRule.MaxImageLength);
            rule.Property(r => r.TagPattern).HasMaxLength(SyncRule.MaxPatternLength);
            rule.Property(r => r.PatternType).HasMaxLength(16);
            rule.Property(r => r.Mode).HasMaxLength(16);
            rule.Property(r => r.Platforms).HasMaxLength(FieldLimits.Other * 4);
            rule.Property(r => r.LastRunStatus).HasMaxLength(SyncRule.MaxStatusLength);
            rule.Property(r => r.LastRunTags).HasMaxLength(20_000);
            rule.HasIndex(r => r.GroupId);
            rule.HasIndex(r => new { r.Enabled, r.NextRunAt });
            rule.HasOne<Group>().WithMany().HasForeignKey(r => r.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<SyncRulePin>(pin =>
        {
            pin.Property(p => p.Digest).HasMaxLength(200);
            pin.HasIndex(p => new { p.SyncRuleId, p.Digest }).IsUnique();
            pin.HasIndex(p => new { p.GroupId, p.Digest });
            pin.HasIndex(p => p.Digest);
            pin.HasOne<SyncRule>().WithMany().HasForeignKey(p => p.SyncRuleId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static void OnWebhooksCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WebHook>(hook =>
        {
            hook.Property(h => h.Url).HasMaxLength(FieldLimits.HookUrl);
            hook.Property(h => h.Name).HasMaxLength(FieldLimits.Name);
            hook.Property(h => h.Description).HasMaxLength(FieldLimits.VirtualRegistryDescription);
            hook.Property(h => h.ProtectedToken).HasMaxLength(4096);
            hook.Property(h => h.ClaimedBy).HasMaxLength(128);
            hook.HasIndex(h => h.GroupId);
            hook.HasOne<Group>().WithMany().HasForeignKey(h => h.GroupId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<OutboxEvent>(proxyEvent =>
        {
            proxyEvent.Property(e => e.Type).HasMaxLength(128);
            proxyEvent.Property(e => e.Source).HasMaxLength(FieldLimits.HookUrl);
            proxyEvent.Property(e => e.Subject).HasMaxLength(1024);
            proxyEvent.HasIndex(e => e.EventId).IsUnique();
            proxyEvent.HasIndex(e => e.Time);
        });

        modelBuilder.Entity<WebHookDelivery>(delivery =>
        {
            delivery.Property(d => d.Status).HasMaxLength(16);
            delivery.Property(d => d.Error).HasMaxLength(WebHookDelivery.MaxErrorLength);
            delivery.HasIndex(d => new { d.HookId, d.Status, d.Id });
            delivery.HasIndex(d => d.EventId);
            delivery.HasOne<WebHook>().WithMany().HasForeignKey(d => d.HookId).OnDelete(DeleteBehavior.Cascade);
            delivery.HasOne(d => d.Event).WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
