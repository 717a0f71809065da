using System.Text.Json;
using DependencyProxy.Data;
using DependencyProxy.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DependencyProxy.Observability;

/// <summary>GitLab's health endpoints: <c>/-/liveness</c> and <c>/-/health</c> (the process answers) and <c>/-/readiness</c> (database and store reachable).</summary>
internal static class HealthEndpoints
{
    private const string Ready = "ready";

    /// <summary>How long a readiness check may take before it counts as failed.</summary>
    internal static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddProxyHealthChecks(this IServiceCollection services)
    {
        // Bounded: a database or a bucket that hangs (a stopped S3 gateway) must make the probe fail, not wait with it,
        // or a load balancer never takes the node out.
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: [Ready], timeout: CheckTimeout)
            .AddCheck<ContentStoreCheck>("content_store", tags: [Ready], timeout: CheckTimeout);
        return services;
    }

    public static IEndpointRouteBuilder MapProxyHealth(this IEndpointRouteBuilder app)
    {
        var alive = new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync };
        app.MapHealthChecks("/-/liveness", alive);
        app.MapHealthChecks("/-/health", alive);
        app.MapHealthChecks("/-/readiness", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync });
        return app;
    }

    /// <summary><c>{"status":"ok","checks":[{"name":"database","status":"ok"}]}</c>; failures say why, without internals.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status == HealthStatus.Healthy ? "ok" : "failed",
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status == HealthStatus.Healthy ? "ok" : "failed",
                message = e.Value.Description,
            }),
        }));
    }

    private sealed class DatabaseCheck(IDbContextFactory<ProxyDbContext> databases) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("the database cannot be reached");
        }
    }

    private sealed class ContentStoreCheck(IContentStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            // Writable, not just present: a full or read-only disk, or a bucket out of reach, must take the node out of rotation.
            try
            {
                await store.CheckWritableAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Storage.StorageUnavailableException)
            {
                return HealthCheckResult.Unhealthy("the content store is not writable");
            }
        }
    }
}
