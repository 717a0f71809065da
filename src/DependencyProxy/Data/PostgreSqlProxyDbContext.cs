using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace DependencyProxy.Data;

/// <summary>
/// The same model on PostgreSQL. A type of its own so that its migrations (Data/Migrations/PostgreSql) stay apart
/// from SQLite's: EF Core picks migrations by context type.
/// </summary>
internal sealed class PostgreSqlProxyDbContext(DbContextOptions<PostgreSqlProxyDbContext> options) : ProxyDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // timestamptz takes only UTC DateTimes; a date parsed from a request (expires_at) arrives unspecified.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        value => value.Kind == DateTimeKind.Utc ? value : DateTime.SpecifyKind(value, DateTimeKind.Utc),
        value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
