using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace DependencyProxy.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the server.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ProxyDbContext>
{
    public ProxyDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ProxyDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
