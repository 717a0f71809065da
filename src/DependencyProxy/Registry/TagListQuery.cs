using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using DependencyProxy.Oci;

namespace DependencyProxy.Registry;

/// <summary>
/// The <c>n</c> and <c>last</c> of a tag list request. <c>n</c> is a count of digits only (a count beyond any list is just
/// "all"); <c>last</c> is a tag. Anything else is a 400 naming the parameter, before the upstream is asked.
/// </summary>
internal sealed record TagListQuery(int? Count, string? Last)
{
    public static bool TryParse(IQueryCollection query, [NotNullWhen(true)] out TagListQuery? result, [NotNullWhen(false)] out OciError? error)
    {
        result = null;
        var n = query["n"];
        var last = query["last"];
        if (n.Count > 1 || last.Count > 1)
        {
            error = new OciError(400, "PAGINATION_NUMBER_INVALID", "give 'n' and 'last' at most once each");
            return false;
        }

        int? count = null;
        if (n.Count == 1)
        {
            var text = n[0]!;
            if (text.Length == 0 || !text.All(char.IsAsciiDigit))
            {
                error = new OciError(400, "PAGINATION_NUMBER_INVALID", "'n' must be a whole number of tags, 0 or more");
                return false;
            }

            // More digits than any list has tags: the whole list (and no overflow).
            var digits = text.TrimStart('0');
            count = digits.Length > 9 ? int.MaxValue : digits.Length == 0 ? 0 : int.Parse(digits, CultureInfo.InvariantCulture);
        }

        if (last.Count == 1 && !RegistryPath.IsValidTag(last[0]!))
        {
            error = OciError.TagInvalid("'last' must be a tag: up to 128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'");
            return false;
        }

        result = new TagListQuery(count, last.Count == 1 ? last[0] : null);
        error = null;
        return true;
    }

    /// <summary>The tags after <see cref="Last"/>, at most <see cref="Count"/> of them; <paramref name="more"/> when some were cut.</summary>
    public IReadOnlyList<string> Apply(string[] sorted, out bool more)
    {
        // The first tag lexically after 'last', which need not be in the list itself.
        var start = Last is { } last && Array.BinarySearch(sorted, last, StringComparer.Ordinal) is var found
            ? found >= 0 ? found + 1 : ~found
            : 0;
        var remaining = sorted.Length - start;
        var take = Count is { } n ? Math.Min(n, remaining) : remaining;
        more = take > 0 && take < remaining;
        return sorted[start..(start + take)];
    }
}
