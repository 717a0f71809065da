using System.Globalization;
using System.Text.Json;

namespace DependencyProxy.CiIdentity;

/// <summary>
/// The claim patterns of trust rules: <c>*</c> any run of characters (none included), <c>?</c> exactly one, anything else
/// itself; case-sensitive, over the whole value. No character classes or escapes: claim values (paths, refs) need none.
/// </summary>
internal static class ClaimGlob
{
    /// <summary>
    /// Whether <paramref name="value"/> matches <paramref name="glob"/>. Greedy with one backtrack point (the last
    /// <c>*</c>), so the work is at most value × glob steps, never exponential: both are at most 255 characters.
    /// </summary>
    public static bool Matches(string glob, string value)
    {
        int g = 0, v = 0, star = -1, resume = 0;
        while (v < value.Length)
        {
            if (g < glob.Length && (glob[g] == '?' || glob[g] == value[v]))
            {
                g++;
                v++;
            }
            else if (g < glob.Length && glob[g] == '*')
            {
                star = g++;
                resume = v;
            }
            else if (star >= 0)
            {
                g = star + 1;
                v = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (g < glob.Length && glob[g] == '*')
        {
            g++;
        }

        return g == glob.Length;
    }

    /// <summary>
    /// A token claim as text to match: strings as they are, booleans <c>true</c>/<c>false</c> (GitLab's
    /// <c>ref_protected</c> is a string, other issuers send a boolean), numbers in invariant form; arrays, objects and
    /// null never match (null here).
    /// </summary>
    public static string? ClaimText(JsonElement claim) => claim.ValueKind switch
    {
        JsonValueKind.String => claim.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => claim.TryGetInt64(out var whole) ? whole.ToString(CultureInfo.InvariantCulture)
            : claim.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        _ => null,
    };
}
