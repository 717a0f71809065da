using DependencyProxy.Configuration;

namespace DependencyProxy.Upstream;

/// <summary>
/// Timeouts and budgets for upstream calls (<c>DependencyProxy:Upstream</c>). There is deliberately no total timeout: a
/// multi-gigabyte layer may take an hour, and what matters is that bytes keep arriving.
/// </summary>
internal sealed class UpstreamTimeoutOptions
{
    public const string Section = OptionsSections.Root + ":Upstream";

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for response headers after sending a request.</summary>
    public TimeSpan ResponseHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a body may stall without a single byte arriving.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>At most this many requests per upstream wait for their answers at once; more wait their turn.</summary>
    public int MaxConcurrentRequests { get; set; } = 32;

    /// <summary>After this many failures in a row, an upstream is skipped (the circuit opens) instead of waited for.</summary>
    public int CircuitFailureThreshold { get; set; } = 5;

    /// <summary>How long an open circuit skips its upstream before one request probes it again.</summary>
    public TimeSpan CircuitOpenDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Upstream bearer tokens kept in memory at most (one per registry, repository and account); the least recently used
    /// goes first. A miss costs one token request, so this only needs to cover the repositories pulled within a token's
    /// lifetime (Docker Hub: 5 minutes).
    /// </summary>
    public int MaxCachedTokens { get; set; } = 1000;

    internal IEnumerable<string> Validate()
    {
        if (ConnectTimeout <= TimeSpan.Zero || ResponseHeadersTimeout <= TimeSpan.Zero || IdleTimeout <= TimeSpan.Zero)
        {
            yield return "DependencyProxy:Upstream timeouts must be positive.";
        }

        if (MaxConcurrentRequests < 1)
        {
            yield return "DependencyProxy:Upstream:MaxConcurrentRequests must be at least 1.";
        }

        if (CircuitFailureThreshold < 1 || CircuitOpenDuration <= TimeSpan.Zero)
        {
            yield return "DependencyProxy:Upstream:CircuitFailureThreshold must be at least 1 and CircuitOpenDuration positive.";
        }

        if (MaxCachedTokens < 1)
        {
            yield return "DependencyProxy:Upstream:MaxCachedTokens must be at least 1.";
        }
    }
}
