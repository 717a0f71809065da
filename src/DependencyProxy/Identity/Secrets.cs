using System.Security.Cryptography;
using System.Text;
using DependencyProxy.Data;
using Microsoft.AspNetCore.Identity;

namespace DependencyProxy.Identity;

/// <summary>Creates and checks secrets. Tokens are random and stored as SHA-256; passwords use a slow KDF.</summary>
internal static class Secrets
{
    public const string PersonalTokenPrefix = "dpat-";
    public const string DeployTokenPrefix = "dpdt-";

    private static readonly PasswordHasher<User> Passwords = new();

    /// <summary>Whether a login secret is one of our tokens rather than a password.</summary>
    public static bool LooksLikeToken(string secret) =>
        secret.StartsWith(PersonalTokenPrefix, StringComparison.Ordinal) || secret.StartsWith(DeployTokenPrefix, StringComparison.Ordinal);

    /// <summary>A fresh token: a recognisable prefix and 192 random bits.</summary>
    public static string NewToken(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    public static string NewSecurityStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether the stamp a session or registry token carries is the user's current one (null and empty alike: never changed).</summary>
    public static bool StampMatches(string? presented, string? current) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented ?? ""), Encoding.ASCII.GetBytes(current ?? ""));

    public static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Compares a presented token with a stored hash in constant time.</summary>
    public static bool TokenMatches(string token, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashToken(token)), Encoding.ASCII.GetBytes(storedHash));

    public static string HashPassword(User user, string password) => Passwords.HashPassword(user, password);

    /// <summary>Checks a password (PBKDF2, constant time inside the hasher). A null hash still costs one verification.</summary>
    public static bool PasswordMatches(User? user, string password)
    {
        if (user?.PasswordHash is not { } hash)
        {
            // Spend the same time as a real check, so response times do not tell which usernames exist.
            Passwords.VerifyHashedPassword(new User { Username = "", Email = "", Name = "" }, DummyHash.Value, password);
            return false;
        }

        return Passwords.VerifyHashedPassword(user, hash, password) != PasswordVerificationResult.Failed;
    }

    /// <summary>
    /// Passwords are 8 (GitLab's default minimum) to 128 characters (GitLab's maximum), and do not look like a token: at
    /// <c>docker login</c> a secret that starts with a token prefix is checked as a token only, so such a password could
    /// sign in to the web pages and never to the registry.
    /// </summary>
    public static string? CheckPasswordStrength(string? password) =>
        password is null || password.Length < 8 ? "password is too short (minimum is 8 characters)"
        : password.StartsWith(PersonalTokenPrefix, StringComparison.Ordinal) || password.StartsWith(DeployTokenPrefix, StringComparison.Ordinal)
            ? $"password may not start with {PersonalTokenPrefix} or {DeployTokenPrefix}: those begin access tokens, and docker login would take it for one"
        : FieldLimits.Check("password", password, FieldLimits.Password);

    private static readonly Lazy<string> DummyHash =
        new(() => Passwords.HashPassword(new User { Username = "", Email = "", Name = "" }, NewPassword()));
}
