using System.Text;
using DependencyProxy.Fuzz;

namespace DependencyProxy.Tests.Fuzz;

/// <summary>
/// The fuzz targets (bench/fuzz runs them under AFL++ for minutes) run here over seeded mutations of their corpus, so
/// every CI run tries a few thousand hostile inputs per parser and the targets themselves cannot rot.
/// </summary>
public sealed class FuzzTargetTests
{
    private const int MutationsPerTarget = 4000;

    private static readonly string[] Interesting =
    [
        "", "/", "//", "..", "%00", "%2F", "\0", "\u202e", "sha256:", ":", "@", "bytes=", "-", ",", "{", "}", "[", "]", "\"",
        "9223372036854775807", "-9223372036854775808", "99999999999999999999", "dependency_proxy", "containers", "manifests",
        "blobs", "\\u0000", "\"mediaType\":", "\"manifests\":[", "\"schemaVersion\":1", new string('a', 300),
    ];

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Keys];

    [Theory]
    [MemberData(nameof(Targets))]
    public void SeedCorpusAndItsMutations_BreakNoInvariant(string target)
    {
        var run = FuzzTargets.All[target];
        var corpus = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fuzz-corpus", target)).Select(File.ReadAllBytes).ToList();
        Assert.NotEmpty(corpus);
        var random = new Random(target.Sum(c => c) * 7919 + 20261128); // stable per target: string hashes vary per process
        var tried = 0;
        foreach (var input in corpus.Concat(Enumerable.Range(0, MutationsPerTarget).Select(_ => Mutate(corpus, random))))
        {
            try
            {
                run(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"{target} on {Convert.ToBase64String(input)} ({Encoding.UTF8.GetString(input)}): {e}");
            }

            tried++;
        }

        Assert.Equal(corpus.Count + MutationsPerTarget, tried);
    }

    [Fact]
    public void ABrokenInvariant_IsReportedAsAFinding()
    {
        // A range target must flag nothing for a valid header; the check itself is what a finding looks like.
        FuzzTargets.All["range"](Encoding.UTF8.GetBytes("bytes=0-0"));
        var finding = Assert.Throws<InvalidOperationException>(() => FuzzTargets.Check(false, "example"));
        Assert.Contains("fuzz finding", finding.Message);
    }

    /// <summary>AFL's basic moves: flip, replace, insert, delete, splice with another input, insert a known-tricky token.</summary>
    private static byte[] Mutate(List<byte[]> corpus, Random random)
    {
        var bytes = new List<byte>(corpus[random.Next(corpus.Count)]);
        for (var moves = random.Next(1, 6); moves > 0; moves--)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1 when bytes.Count > 0: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.Insert(at, (byte)random.Next(256)); break;
                case 3 when bytes.Count > 0: bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 8))); break;
                case 4:
                    var other = corpus[random.Next(corpus.Count)];
                    var from = random.Next(other.Length);
                    bytes.InsertRange(at, other.Skip(from).Take(random.Next(1, 32)));
                    break;
                default: bytes.InsertRange(at, Encoding.UTF8.GetBytes(Interesting[random.Next(Interesting.Length)])); break;
            }
        }

        return [.. bytes];
    }
}
