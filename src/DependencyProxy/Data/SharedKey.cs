using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Data;

/// <summary>
/// Key material every node of a cluster must share (the registry token signing key, ASP.NET Core Data Protection's key
/// ring, which encrypts upstream secrets and sign-in cookies), kept in the database they share instead of each node's
/// data directory.
/// </summary>
internal sealed class SharedKey
{
    public string Name { get; set; } = "";

    public string Value { get; set; } = "";

    /// <summary>Stores a key unless one of that name exists: when several nodes create one at once, the first wins.</summary>
    public static void InsertIfAbsent(ProxyDbContext db, string name, string value) =>
        db.Database.ExecuteSqlInterpolated($"""INSERT INTO "SharedKeys" ("Name", "Value") VALUES ({name}, {value}) ON CONFLICT ("Name") DO NOTHING""");
}
