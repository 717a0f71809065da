using System.Globalization;
using System.Threading.RateLimiting;
using DependencyProxy.Identity;

namespace DependencyProxy.VirtualRegistries;

/// <summary>
/// At most <see cref="PerMinute"/> connection tests a minute per caller (a user, or a deploy token). A test sends the
/// account it is given to a registry from this server's address, so without a bound any maintainer, or a script with
/// their token, could use the server to guess a registry's passwords quickly, and bring its address into that
/// registry's lockouts. People clicking "Test" stay far below it.
/// </summary>
internal sealed class ConnectionTestThrottle : IDisposable
{
    public const int PerMinute = 10;

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(caller =>
        RateLimitPartition.GetFixedWindowLimiter(caller, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>Whether this caller may run one more test now.</summary>
    public bool TryAcquire(Principal caller)
    {
        using var lease = _limiter.AttemptAcquire(KeyOf(caller));
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();

    private static string KeyOf(Principal caller) => caller.Kind switch
    {
        PrincipalKind.User => "user:" + caller.UserId!.Value.ToString(CultureInfo.InvariantCulture),
        PrincipalKind.DeployToken => "deploy:" + caller.DeployTokenId!.Value.ToString(CultureInfo.InvariantCulture),
        _ => "anonymous",
    };
}
