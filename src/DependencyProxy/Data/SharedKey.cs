namespace DependencyProxy.Data;

/// <summary>
/// Key material every node of a cluster must share (the registry token signing key, ASP.NET Core Data Protection's key
/// ring, which encrypts upstream secrets and sign-in cookies), kept in the database they share instead of each node's
/// data directory.
/// </summary>
public sealed class SharedKey
{
    public string Name { get; set; } = "";

    public string Value { get; set; } = "";
}
