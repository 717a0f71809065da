using System.Xml.Linq;
using DependencyProxy.Data;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Cluster;

/// <summary>
/// ASP.NET Core Data Protection's key ring in the shared database, so every node of a cluster decrypts the upstream
/// secrets and sign-in cookies another node encrypted. Keys are only ever added (Data Protection revokes by adding).
/// </summary>
internal sealed class DatabaseXmlRepository(IDbContextFactory<ProxyDbContext> databases) : IXmlRepository
{
    private const string Prefix = "data-protection:";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = databases.CreateDbContext();
        return db.SharedKeys.AsNoTracking().Where(k => k.Name.StartsWith(Prefix)).Select(k => k.Value).AsEnumerable()
            .Select(value => XElement.Parse(value)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = databases.CreateDbContext();
        SharedKey.InsertIfAbsent(db, Prefix + friendlyName, element.ToString(SaveOptions.DisableFormatting));
    }
}
