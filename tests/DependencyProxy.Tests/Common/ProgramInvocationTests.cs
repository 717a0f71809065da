using DependencyProxy.Common;

namespace DependencyProxy.Tests.Common;

/// <summary>Messages that tell an operator to run a command name it as they would type it where it is installed.</summary>
public sealed class ProgramInvocationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dp-invocation-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Executable(string folder)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, folder)).FullName;
        var file = Path.Combine(directory, "dependency-proxy");
        File.WriteAllText(file, "");
        return file;
    }

    [Fact]
    public void AnInstalledBinaryThatPathFinds_IsNamedBare()
    {
        var binary = Executable("opt/bin");
        Assert.Equal("dependency-proxy", ProgramInvocation.Detect(binary, Path.GetDirectoryName(binary)!, $"/nonexistent:{Path.GetDirectoryName(binary)}"));
    }

    [Fact]
    public void ALinkOnPathToTheBinary_IsNamedBare()
    {
        var binary = Executable("opt/dependency-proxy");
        var bin = Directory.CreateDirectory(Path.Combine(_root, "usr/local/bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "dependency-proxy"), binary);
        Assert.Equal("dependency-proxy", ProgramInvocation.Detect(binary, Path.GetDirectoryName(binary)!, bin));
    }

    [Fact]
    public void ABinaryThatPathDoesNotFind_OrFindsAnotherOf_IsNamedByItsFullPath()
    {
        var binary = Executable("release");
        var other = Executable("elsewhere");
        Assert.Equal(binary, ProgramInvocation.Detect(binary, Path.GetDirectoryName(binary)!, "/nonexistent"));
        Assert.Equal(binary, ProgramInvocation.Detect(binary, Path.GetDirectoryName(binary)!, Path.GetDirectoryName(other)));
        // A relative PATH entry is never trusted to mean the same folder later.
        Assert.Equal(binary, ProgramInvocation.Detect(binary, Path.GetDirectoryName(binary)!, "release"));
        Assert.Equal(binary, ProgramInvocation.Detect(binary, Path.GetDirectoryName(binary)!, null));
    }

    [Fact]
    public void TheDllUnderDotnet_IsNamedWithDotnet_AndASourceBuild_WithDotnetRun()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;
        Assert.Equal($"dotnet {Path.Combine(folder, "DependencyProxy.dll")}", ProgramInvocation.Detect("/usr/bin/dotnet", folder, "/usr/bin"));

        var project = Directory.CreateDirectory(Path.Combine(_root, "src", "DependencyProxy")).FullName;
        File.WriteAllText(Path.Combine(project, "DependencyProxy.csproj"), "<Project />");
        var output = Directory.CreateDirectory(Path.Combine(project, "bin", "Release", "net10.0")).FullName;
        Assert.StartsWith("dotnet run --project ", ProgramInvocation.Detect("/usr/bin/dotnet", output, "/usr/bin"));
        Assert.EndsWith("DependencyProxy --", ProgramInvocation.Detect("/usr/bin/dotnet", output, "/usr/bin"));
    }

    [Fact]
    public void TheInstalledNameLinkedToABinaryOfAnotherName_IsNamedBare()
    {
        // What an operator does with a published build (outside review): ln -s …/DependencyProxy /usr/local/bin/dependency-proxy.
        var folder = Directory.CreateDirectory(Path.Combine(_root, "publish")).FullName;
        var binary = Path.Combine(folder, "DependencyProxy");
        File.WriteAllText(binary, "");
        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "dependency-proxy"), binary);
        Assert.Equal("dependency-proxy", ProgramInvocation.Detect(binary, folder, bin));
    }

    [Theory]
    [InlineData("/var/lib/dependency-proxy", "/var/lib/dependency-proxy")]
    [InlineData("--DependencyProxy:DataDirectory=/srv/data", "--DependencyProxy:DataDirectory=/srv/data")]
    [InlineData("/srv/proxy data", "'/srv/proxy data'")]
    [InlineData("/srv/it's", "'/srv/it'\\''s'")]
    [InlineData("/srv/$(reboot)", "'/srv/$(reboot)'")]
    [InlineData("", "''")]
    public void SuggestedPaths_AreOneShellWord(string value, string word) => Assert.Equal(word, ProgramInvocation.ShellWord(value));

    [Fact]
    public void APathWithASpace_IsQuotedInTheCommand()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "my app")).FullName;
        Assert.Equal($"dotnet '{Path.Combine(folder, "DependencyProxy.dll")}'", ProgramInvocation.Detect("/usr/bin/dotnet", folder, "/usr/bin"));
    }
}
