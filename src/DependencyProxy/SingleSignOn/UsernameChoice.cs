using System.Text;
using DependencyProxy.Data;

namespace DependencyProxy.SingleSignOn;

/// <summary>
/// A username for a person the provider introduces: from <c>preferred_username</c>, else the e-mail's local part, with
/// every character usernames may not hold replaced by <c>_</c> (<c>İnfo</c> is <c>_nfo</c>).
/// A taken name gets a number (<c>alice1</c>, <c>alice2</c>, …): an existing account
/// is never taken over by a provider that happens to use its name.
/// </summary>
internal static class UsernameChoice
{
    /// <summary>Room for a suffix inside <see cref="FieldLimits.Username"/>.</summary>
    private const int MaxBase = FieldLimits.Username - 12;

    public static string? BaseFrom(string? preferredUsername, string? email) =>
        Clean(preferredUsername) ?? Clean(email is { } e && e.IndexOf('@') is > 0 and var at ? e[..at] : null);

    /// <summary>The name itself first, then the name with 1, 2, 3… after it.</summary>
    public static IEnumerable<string> Candidates(string baseName)
    {
        yield return baseName;
        for (var n = 1; n < 100; n++)
        {
            yield return baseName + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // A hundred people of one name: a random suffix rather than a longer search.
        yield return baseName + "-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
    }

    /// <summary>Letters, digits, '_', '-' and '.' (as UserAccounts allows), not starting with '-' nor ending in '.'; null when nothing is left.</summary>
    internal static string? Clean(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var kept = new StringBuilder();
        foreach (var c in value.Trim())
        {
            kept.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_');
            if (kept.Length == MaxBase)
            {
                break;
            }
        }

        var name = kept.ToString().TrimStart('-').TrimEnd('.');
        return name.Trim('_').Length == 0 ? null : name;
    }
}
