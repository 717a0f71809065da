using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace DependencyProxy.Warming;

/// <summary>
/// A sync rule's tag pattern, matched against the whole tag. A glob knows <c>*</c> (any run of characters), <c>?</c> (one
/// character) and classes <c>[a-z]</c>, <c>[0-9_]</c>, <c>[!a]</c>/<c>[^a]</c>; everything else stands for itself. A regex
/// is .NET's, run with <see cref="RegexOptions.NonBacktracking"/> (time linear in the tag's length, so <c>(a+)+$</c> costs
/// nothing) and a timeout besides; constructs that engine refuses (backreferences, lookarounds, atomic groups,
/// conditionals) are refused with a message.
/// </summary>
internal sealed class SyncRulePattern
{
    public const string Glob = "glob";
    public const string Regex = "regex";

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly System.Text.RegularExpressions.Regex _regex;

    private SyncRulePattern(System.Text.RegularExpressions.Regex regex) => _regex = regex;

    /// <summary>Parses <paramref name="pattern"/> of <paramref name="type"/>; <paramref name="error"/> says what is wrong with it.</summary>
    public static bool TryParse(string pattern, string type, [NotNullWhen(true)] out SyncRulePattern? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        string expression;
        if (type == Glob)
        {
            if (!TryTranslateGlob(pattern, out var translated, out var globError))
            {
                error = globError;
                return false;
            }

            expression = translated;
        }
        else if (type == Regex)
        {
            expression = pattern;
        }
        else
        {
            error = "pattern_type must be glob or regex";
            return false;
        }

        const RegexOptions options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;
        try
        {
            // Parsed alone first: an error then names the user's pattern, and a pattern that does not stand alone (an
            // unbalanced ')' as in "3)|(x", a trailing '\') never gets to close the anchoring group below and escape it.
            _ = new System.Text.RegularExpressions.Regex(expression, options, MatchTimeout);
        }
        catch (NotSupportedException e)
        {
            error = $"tag_pattern uses a construct the regex engine does not run (no backreferences, lookarounds, atomic groups or conditionals): {e.Message}";
            return false;
        }
        catch (ArgumentException e)
        {
            error = $"tag_pattern is not a valid {type}: {e.Message}";
            return false;
        }

        try
        {
            // \A…\z: the whole tag, whatever alternation the pattern holds.
            parsed = new SyncRulePattern(new System.Text.RegularExpressions.Regex($"\\A(?:{expression})\\z", options, MatchTimeout));
            error = null;
            return true;
        }
        catch (ArgumentException)
        {
            // Valid alone but not inside the anchors: an inline comment ("(?x)a #") would swallow the closing anchor.
            error = "tag_pattern cannot be matched against the whole tag (an inline comment or option swallows the end): write it without one";
            return false;
        }
    }

    /// <summary>Whether the whole tag matches; a match that runs out of time counts as no match.</summary>
    public bool Matches(string tag)
    {
        try
        {
            return _regex.IsMatch(tag);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static bool TryTranslateGlob(string glob, [NotNullWhen(true)] out string? expression, [NotNullWhen(false)] out string? error)
    {
        var regex = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            switch (glob[i])
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var end = i + 2 < glob.Length ? glob.IndexOf(']', i + 2) : -1;
                    if (end < 0)
                    {
                        (expression, error) = (null, $"tag_pattern has a '[' at {i + 1} without its ']'");
                        return false;
                    }

                    regex.Append('[');
                    var body = glob[(i + 1)..end];
                    if (body[0] is '!' or '^')
                    {
                        regex.Append('^');
                        body = body[1..];
                    }

                    // Inside a class only '\', '[' and ']' (and '^' first, handled above) mean anything to .NET; '-' keeps its range meaning.
                    regex.Append(body.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal)).Append(']');
                    i = end;
                    break;
                default:
                    regex.Append(System.Text.RegularExpressions.Regex.Escape(glob[i].ToString()));
                    break;
            }
        }

        (expression, error) = (regex.ToString(), null);
        return true;
    }
}
