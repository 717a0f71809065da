namespace DependencyProxy.Identity;

/// <summary>When a token is usable: not revoked, and not past the end of its expiry day (GitLab's expires_at is a date, UTC).</summary>
public static class TokenExpiry
{
    public static bool IsActive(bool revoked, DateTime? expiresAt, DateTimeOffset now) =>
        !revoked && (expiresAt is null || now.UtcDateTime < expiresAt.Value.Date.AddDays(1));
}
