using System.Text.Json;

namespace DependencyProxy.CiIdentity;

/// <summary>A trust rule's claims (name → glob), stored as a JSON object, and their check against a token's payload.</summary>
internal static class TrustClaims
{
    /// <summary>A rule names at most this many claims.</summary>
    public const int MaxClaims = 20;

    /// <summary>Claim names and globs are at most this long.</summary>
    public const int MaxLength = 255;

    /// <summary>
    /// The registered claims a rule may not name: they are checked by the validation itself (<c>iss</c>, <c>aud</c>, times)
    /// or mean nothing to match (<c>jti</c>). <c>sub</c> may be named: it is the identity.
    /// </summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal) { "iss", "aud", "exp", "nbf", "iat", "jti" };

    /// <summary>The refusal of a rule none of whose globs starts with a literal character.</summary>
    public const string AnchorProblem =
        "claims: at least one glob must start with a literal character, e.g. \"acme/*\" (a rule whose globs all start with * or ? trusts jobs of any project of the issuer)";

    /// <summary>The first problem with <paramref name="claims"/> as a rule's claims, or null.</summary>
    public static string? Problem(IReadOnlyDictionary<string, string?>? claims)
    {
        if (claims is null || claims.Count == 0)
        {
            return "claims must name at least one claim, e.g. {\"project_path\": \"acme/*\"}: a rule never trusts a whole issuer";
        }

        if (claims.Count > MaxClaims)
        {
            return $"claims may name at most {MaxClaims} claims";
        }

        foreach (var (name, glob) in claims)
        {
            if (name.Length is 0 or > MaxLength || name.Any(char.IsControl))
            {
                return $"claims: a claim name must be 1 to {MaxLength} characters without control characters";
            }

            if (Reserved.Contains(name))
            {
                return $"claims: '{name}' is checked by the token validation itself and cannot be part of a rule";
            }

            if (glob is null || glob.Length is 0 or > MaxLength || glob.Any(char.IsControl))
            {
                return $"claims: the value of '{name}' must be a text of 1 to {MaxLength} characters (a glob: * any run, ? one character)";
            }
        }

        // A rule must pin something: a glob that starts with a wildcard (*, *:*, */*, *a*, ?x) still matches jobs of any
        // project of the issuer, so at least one glob must be anchored, starting with a literal character ("acme/*").
        if (!claims.Values.Any(glob => glob![0] is not ('*' or '?')))
        {
            return AnchorProblem;
        }

        return null;
    }

    public static string Serialize(IReadOnlyDictionary<string, string?> claims) =>
        JsonSerializer.Serialize(claims.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value!),
            CiIdentityJsonContext.Default.DictionaryStringString);

    /// <summary>The stored claims; an unreadable value (never written by us) reads as one that matches nothing.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string stored)
    {
        try
        {
            return JsonSerializer.Deserialize(stored, CiIdentityJsonContext.Default.DictionaryStringString) ?? [];
        }
        catch (JsonException)
        {
            return new Dictionary<string, string> { [""] = "" };
        }
    }

    /// <summary>
    /// The names of the rule's claims the token does not satisfy (absent, not a scalar, or not matching its glob); empty when
    /// every one matches. A rule with no claims never matches (a whole issuer is never trusted).
    /// </summary>
    public static IReadOnlyList<string> Mismatches(IReadOnlyDictionary<string, string> rule, JsonElement payload)
    {
        if (rule.Count == 0)
        {
            return [""];
        }

        var failed = new List<string>();
        foreach (var (name, glob) in rule)
        {
            var value = payload.TryGetProperty(name, out var claim) ? ClaimGlob.ClaimText(claim) : null;
            if (value is null || !ClaimGlob.Matches(glob, value))
            {
                failed.Add(name);
            }
        }

        return failed;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class CiIdentityJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
