namespace DependencyProxy.Identity;

/// <summary>When a token is usable: not revoked, and not past the end of its expiry day (GitLab's expires_at is a date, UTC).</summary>
internal static class TokenExpiry
{
    public static bool IsActive(bool revoked, DateTime? expiresAt, DateTimeOffset now) =>
        !revoked && (expiresAt is null || now.UtcDateTime < expiresAt.Value.Date.AddDays(1));

    /// <summary>An expiry day as GitLab writes it, <c>YYYY-MM-DD</c>, as UTC midnight; null for anything else.</summary>
    public static DateTime? ParseDay(string? text) =>
        text is not null && DateTime.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal, out var day)
            ? DateTime.SpecifyKind(day, DateTimeKind.Utc)
            : null;
}
