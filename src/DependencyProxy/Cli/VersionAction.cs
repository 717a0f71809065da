using System.CommandLine;
using System.CommandLine.Invocation;
using DependencyProxy.Api;

namespace DependencyProxy.Cli;

/// <summary>
/// <c>--version</c>: the version and the git commit it was built from, the same pair <c>GET /api/v4/version</c> answers.
/// System.CommandLine's own action prints the raw informational version (<c>0.1.0+434b4e5…</c>), which hides whether a
/// commit was recorded; a build from a tree without git says so instead of printing nothing after the version.
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public static string Text(VersionJson version) =>
        $"dependency-proxy {version.Version} (commit {(version.Revision == VersionApi.Unknown ? "unknown: built without git" : version.Revision)})";

    public override int Invoke(ParseResult parseResult)
    {
        ProxyCommandLine.Out.WriteLine(Text(VersionApi.Current));
        return 0;
    }

    /// <summary>Puts this action on the root command's <c>--version</c>.</summary>
    public static void Use(RootCommand root) => root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
}
