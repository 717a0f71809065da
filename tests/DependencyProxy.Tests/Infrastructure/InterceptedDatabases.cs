using DependencyProxy.Data;
using Microsoft.EntityFrameworkCore;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// The app's database, with a callback each time the code under test opens a context: a test acts at the moments the
/// code goes to the database (for example dies there, as a killed process would) without a test-only seam in the app.
/// Give it to one service built with <c>ActivatorUtilities.CreateInstance</c>; the rest of the app is untouched.
/// </summary>
internal sealed class InterceptedDatabases(IDbContextFactory<ProxyDbContext> inner, Action beforeEach) : IDbContextFactory<ProxyDbContext>
{
    public ProxyDbContext CreateDbContext()
    {
        beforeEach();
        return inner.CreateDbContext();
    }

    public Task<ProxyDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
    {
        beforeEach();
        return inner.CreateDbContextAsync(cancellationToken);
    }
}
