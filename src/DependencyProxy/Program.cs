using DependencyProxy;
using DependencyProxy.Cli;

// `dependency-proxy groups …` runs a command and exits; anything else starts the server.
if (ProxyCommandLine.IsCommand(args))
{
    return await ProxyCommandLine.RunAsync(args);
}

return await ProxyApp.RunAsync(args);

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
