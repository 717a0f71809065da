using DependencyProxy.Cli;
using DependencyProxy.Hosting;

// `dependency-proxy groups …` runs a command and exits, `--help` shows them; configuration switches alone start the server.
return await ProxyCommandLine.RunAsync(args, ProxyApp.RunAsync);

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
