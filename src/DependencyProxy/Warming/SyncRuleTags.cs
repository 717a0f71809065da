namespace DependencyProxy.Warming;

/// <summary>
/// Which tags a rule takes: those its pattern matches, highest first by version order, at most max_tags of them.
/// Version order splits a tag into runs of digits and runs of other characters and compares them pairwise: digits as
/// numbers (<c>3.9</c> &lt; <c>3.10</c>, leading zeros aside), the rest ordinally; a run of digits ranks above other text at
/// the same place; when one tag is the other's start, the longer is higher (<c>3.12</c> &lt; <c>3.12-slim</c>); ties go
/// ordinally, so the order is total and the same on every node.
/// </summary>
internal static class SyncRuleTags
{
    public static IReadOnlyList<string> Select(IEnumerable<string> tags, SyncRulePattern pattern, int maxTags) =>
        [.. tags.Where(pattern.Matches).OrderDescending(VersionOrder.Instance).Take(maxTags)];
}

/// <summary>The version-aware comparison of <see cref="SyncRuleTags"/>.</summary>
internal sealed class VersionOrder : IComparer<string>
{
    public static readonly VersionOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            var xDigits = char.IsAsciiDigit(x[i]);
            var yDigits = char.IsAsciiDigit(y[j]);
            var xEnd = RunEnd(x, i, xDigits);
            var yEnd = RunEnd(y, j, yDigits);
            int order;
            if (xDigits != yDigits)
            {
                order = xDigits ? 1 : -1;
            }
            else
            {
                order = xDigits ? CompareNumbers(x.AsSpan(i, xEnd - i), y.AsSpan(j, yEnd - j)) : x.AsSpan(i, xEnd - i).SequenceCompareTo(y.AsSpan(j, yEnd - j));
            }

            if (order != 0)
            {
                return Math.Sign(order);
            }

            (i, j) = (xEnd, yEnd);
        }

        var remaining = (x.Length - i).CompareTo(y.Length - j);
        return remaining != 0 ? remaining : Math.Sign(string.CompareOrdinal(x, y));
    }

    private static int RunEnd(string text, int start, bool digits)
    {
        var end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end]) == digits)
        {
            end++;
        }

        return end;
    }

    /// <summary>Numbers of any length (tags may hold dates or build numbers past long): without leading zeros, longer is larger.</summary>
    private static int CompareNumbers(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.SequenceCompareTo(b);
    }
}
