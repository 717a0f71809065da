using System.Text.RegularExpressions;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// The access log's combined lines (<c>"HEAD /v2/… HTTP/1.1" 404 …</c>): every request with its status, refusals included.
/// The "response completed" lines that <see cref="RequestsSince"/> reads leave out 4xx answers (Distribution logs those as
/// "response completed with error"), so a test that must see a 404 or prove that nothing at all was asked reads these.
/// </summary>
public sealed partial class UpstreamRegistry
{
    /// <summary>A position among the combined lines; <see cref="AccessesSince"/> gives the requests after it.</summary>
    public int AccessMark() => ReadAccesses().Count;

    public IReadOnlyList<UpstreamRequest> AccessesSince(int mark) => ReadAccesses().Skip(mark).ToList();

    private List<UpstreamRequest> ReadAccesses()
    {
        using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var requests = new List<UpstreamRequest>();
        while (reader.ReadLine() is { } line)
        {
            if (CombinedLine().Match(line) is { Success: true } match)
            {
                requests.Add(new UpstreamRequest(match.Groups[1].Value, match.Groups[2].Value, int.Parse(match.Groups[3].Value),
                    long.TryParse(match.Groups[4].Value, out var written) ? written : 0));
            }
        }

        return requests;
    }

    [GeneratedRegex("^\\S+ - \\S+ \\[[^\\]]+\\] \"([A-Z]+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) (\\d+|-)")]
    private static partial Regex CombinedLine();
}
