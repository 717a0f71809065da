using DependencyProxy.Caching;
using DependencyProxy.Cluster;
using DependencyProxy.Storage;

namespace DependencyProxy.Registry;

/// <summary>
/// <c>GET /-/internal/fills/{lease}</c>: another node reads a download this node owns, as it arrives, with Range to
/// resume. It answers exactly as a client reading the fill would be answered (the last byte held back until the digest
/// is verified, the connection cut if the download fails). Only the cluster secret opens it: client tokens, sessions
/// and anonymous requests get 404, as does every request when clustering is off, so it does not even show it exists.
/// </summary>
internal static class InternalFillEndpoint
{
    public static void MapClusterInternals(this WebApplication app) =>
        app.MapGet("/-/internal/fills/{lease}", async (HttpContext context, string lease, ClusterNode node, BlobFetchCoordinator fills,
            IContentStore store, Observability.ProxyMetrics metrics, ILogger<BlobFetchCoordinator> logger) =>
        {
            if (!node.IsNodeRequest(context.Request) || fills.FindRunning(key => ClusterNode.FillLeaseName(key) == lease) is not { } fill)
            {
                return Results.NotFound();
            }

            long? length;
            try
            {
                length = await fill.Started.WaitAsync(context.RequestAborted);
            }
            catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
            {
                // The download failed before its first byte; the asking node tries it itself and reports what it gets.
                return Results.StatusCode(StatusCodes.Status502BadGateway);
            }

            return (IResult)new BlobFillResult(fill, length, store, metrics, () => TimeSpan.Zero, logger);
        });
}
