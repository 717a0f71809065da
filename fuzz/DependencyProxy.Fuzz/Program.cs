using SharpFuzz;

namespace DependencyProxy.Fuzz;

/// <summary>
/// <c>dotnet DependencyProxy.Fuzz.dll &lt;target&gt;</c> under afl-fuzz (bench/fuzz) reads inputs from AFL;
/// <c>… &lt;target&gt; --replay &lt;dir&gt;</c> runs every file in a directory once (the seed corpus, or a finding to reproduce).
/// </summary>
internal static class FuzzProgram
{
    // Not top-level statements: those would add a second global Program type next to the server's in the tests.
    private static int Main(string[] args)
    {
        if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine($"usage: DependencyProxy.Fuzz <{string.Join('|', FuzzTargets.All.Keys)}> [--replay <directory>]");
            return 2;
        }

        if (args.Length == 3 && args[1] == "--replay")
        {
            return Replay(args[0], target, args[2]);
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target(buffer.ToArray());
        });
        return 0;
    }

    private static int Replay(string name, Action<byte[]> target, string directory)
    {
        var files = Directory.GetFiles(directory);
        foreach (var file in files)
        {
            try
            {
                target(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"{file}: {e}");
                return 1;
            }
        }

        Console.WriteLine($"{name}: {files.Length} inputs, no findings");
        return 0;
    }
}
