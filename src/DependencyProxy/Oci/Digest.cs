using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace DependencyProxy.Oci;

/// <summary>
/// A content digest such as <c>sha256:&lt;64 hex&gt;</c>. Only algorithms we can verify are accepted,
/// because rule 1 says nothing unverified is ever stored or served from cache.
/// </summary>
internal readonly record struct Digest
{
    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public string Algorithm { get; }

    /// <summary>Lowercase hex of the hash.</summary>
    public string Hex { get; }

    public override string ToString() => $"{Algorithm}:{Hex}";

    /// <summary>Parses a digest; <paramref name="error"/> says why when it fails.</summary>
    public static bool TryParse(string? value, out Digest digest, [NotNullWhen(false)] out string? error)
    {
        digest = default;
        if (string.IsNullOrEmpty(value) || value.Length > 200)
        {
            error = "digest is empty or too long";
            return false;
        }

        var colon = value.IndexOf(':');
        if (colon <= 0)
        {
            error = "digest must have the form algorithm:hex";
            return false;
        }

        var algorithm = value[..colon];
        var hex = value[(colon + 1)..];
        var expectedLength = algorithm switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => 0,
        };
        if (expectedLength == 0)
        {
            error = $"unsupported digest algorithm '{Sanitize(algorithm)}' (sha256 and sha512 are supported)";
            return false;
        }

        if (hex.Length != expectedLength || !hex.All(IsLowerHex))
        {
            error = $"{algorithm} digest must be {expectedLength} lowercase hex characters";
            return false;
        }

        digest = new Digest(algorithm, hex);
        error = null;
        return true;
    }

    public static Digest Parse(string value) =>
        TryParse(value, out var digest, out var error) ? digest : throw new FormatException(error);

    /// <summary>The SHA-256 digest of some bytes.</summary>
    public static Digest Sha256Of(ReadOnlySpan<byte> content) =>
        new("sha256", Convert.ToHexStringLower(SHA256.HashData(content)));

    /// <summary>The digest of <paramref name="content"/> with this digest's algorithm.</summary>
    public Digest ComputeSameAlgorithm(ReadOnlySpan<byte> content)
    {
        using var hash = CreateHash();
        hash.AppendData(content);
        return FromHash(hash);
    }

    /// <summary>An incremental hash for this digest's algorithm, for hashing while streaming.</summary>
    public IncrementalHash CreateHash() => IncrementalHash.CreateHash(
        Algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);

    /// <summary>True when the finished hash equals this digest (constant time, it is cheap to do so).</summary>
    public bool Matches(IncrementalHash finishedHash)
    {
        Span<byte> actual = stackalloc byte[64];
        var written = finishedHash.GetHashAndReset(actual);
        return CryptographicOperations.FixedTimeEquals(actual[..written], Convert.FromHexString(Hex));
    }

    private Digest FromHash(IncrementalHash hash) => new(Algorithm, Convert.ToHexStringLower(hash.GetHashAndReset()));

    private static bool IsLowerHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f');

    /// <summary>Keeps hostile input out of error messages and logs.</summary>
    internal static string Sanitize(string value) =>
        new string(value.Take(40).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '?').ToArray());
}
