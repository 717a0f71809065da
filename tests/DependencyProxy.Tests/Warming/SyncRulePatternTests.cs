using System.Diagnostics;
using DependencyProxy.Warming;

namespace DependencyProxy.Tests.Warming;

/// <summary>Tag patterns (glob and regex, whole-tag matches) and the version order that picks the highest max_tags.</summary>
public sealed class SyncRulePatternTests
{
    private static SyncRulePattern Parse(string pattern, string type = SyncRulePattern.Glob)
    {
        Assert.True(SyncRulePattern.TryParse(pattern, type, out var parsed, out var error), error);
        return parsed;
    }

    [Theory]
    [InlineData("3.1[2-3]-slim*", "3.12-slim", true)]
    [InlineData("3.1[2-3]-slim*", "3.13-slim-bookworm", true)]
    [InlineData("3.1[2-3]-slim*", "3.11-slim", false)]
    [InlineData("3.1[2-3]-slim*", "3.12", false)]
    [InlineData("3.1[2-3]-slim*", "x3.12-slim", false)] // anchored at the start
    [InlineData("3.??", "3.12", true)]
    [InlineData("3.??", "3.1", false)]
    [InlineData("3.[!1]*", "3.9", true)]
    [InlineData("3.[!1]*", "3.12", false)]
    [InlineData("3.[^1]*", "3.12", false)]
    [InlineData("v1.*", "v1.0", true)]
    [InlineData("v1.*", "v1x0", false)] // '.' is a dot, not any character
    [InlineData("a+b", "a+b", true)]
    [InlineData("a+b", "aab", false)] // regex characters in a glob stand for themselves
    [InlineData("[a-c]_[0-9][0-9]", "b_42", true)]
    public void Globs_MatchTheWholeTag(string glob, string tag, bool matches) => Assert.Equal(matches, Parse(glob).Matches(tag));

    [Theory]
    [InlineData(@"3\.1[23]-slim(-bookworm)?", "3.12-slim", true)]
    [InlineData(@"3\.1[23]-slim(-bookworm)?", "3.13-slim-bookworm", true)]
    [InlineData(@"3\.1[23]-slim(-bookworm)?", "3.12-slim-bullseye", false)] // whole tag, not a prefix
    [InlineData("slim|alpine", "3.12-alpine", false)] // the alternation is anchored as a whole
    [InlineData("slim|alpine", "alpine", true)]
    [InlineData(@"v\d+\.\d+\.\d+", "v1.2.3", true)]
    public void Regexes_MatchTheWholeTag(string regex, string tag, bool matches) =>
        Assert.Equal(matches, Parse(regex, SyncRulePattern.Regex).Matches(tag));

    [Theory]
    [InlineData(@"(a)\1", SyncRulePattern.Regex, "does not run")] // backreference
    [InlineData("(?=a)a", SyncRulePattern.Regex, "does not run")] // lookahead
    [InlineData("(?<!a)b", SyncRulePattern.Regex, "does not run")] // lookbehind
    [InlineData("(?>a+)b", SyncRulePattern.Regex, "does not run")] // atomic group
    [InlineData("(", SyncRulePattern.Regex, "not a valid regex")]
    [InlineData("[z-a]", SyncRulePattern.Regex, "not a valid regex")]
    [InlineData("3.[12", SyncRulePattern.Glob, "without its ']'")]
    [InlineData("3.[", SyncRulePattern.Glob, "without its ']'")]
    [InlineData("[z-a]", SyncRulePattern.Glob, "not a valid glob")]
    [InlineData("*", "wildcard", "pattern_type must be glob or regex")]
    [InlineData("3)|(zzz", SyncRulePattern.Regex, "not a valid regex")] // would close the anchoring group and match any tag with a 3 in it
    [InlineData(@"3\", SyncRulePattern.Regex, "not a valid regex")] // a trailing backslash would escape the anchor
    [InlineData("[", SyncRulePattern.Regex, "not a valid regex")]
    [InlineData("(?x)3 #", SyncRulePattern.Regex, "cannot be matched against the whole tag")] // the comment would swallow the anchor
    public void PatternsTheEngineCannotRun_AreRefusedWithAMessage(string pattern, string type, string message)
    {
        Assert.False(SyncRulePattern.TryParse(pattern, type, out _, out var error));
        Assert.Contains(message, error);
        Assert.DoesNotContain(@"\A(?:", error); // the message is about the pattern as written, not our anchoring of it
    }

    [Fact]
    public void ACatastrophicRegex_RunsInLinearTime()
    {
        var pattern = Parse("(a+)+$", SyncRulePattern.Regex);
        var hostile = new string('a', 128) + "!";
        var watch = Stopwatch.StartNew();
        Assert.False(pattern.Matches(hostile));
        Assert.True(pattern.Matches(new string('a', 128)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public void VersionOrder_ComparesNumbersAsNumbers()
    {
        string[] tags = ["3.9", "3.10", "3.12-slim", "3.12", "3.2", "10.0", "3.12.1-slim", "latest", "3.012"];
        Assert.Equal(["latest", "3.2", "3.9", "3.10", "3.012", "3.12", "3.12-slim", "3.12.1-slim", "10.0"], tags.Order(VersionOrder.Instance));
    }

    [Fact]
    public void Selection_TakesTheHighestMaxTagsThatMatch()
    {
        string[] tags = ["3.9-slim", "3.10-slim", "3.11-slim", "3.12-slim", "3.12.1-slim", "3.13-slim", "3.13-alpine", "3.13-slim-bookworm"];
        Assert.Equal(["3.13-slim-bookworm", "3.13-slim", "3.12.1-slim"], SyncRuleTags.Select(tags, Parse("3.1*-slim*"), 3));
        Assert.Equal(["3.13-slim", "3.12-slim"], SyncRuleTags.Select(tags, Parse("3.1[2-3]-slim"), 10));
        Assert.Empty(SyncRuleTags.Select(tags, Parse("4.*"), 10));
    }
}
