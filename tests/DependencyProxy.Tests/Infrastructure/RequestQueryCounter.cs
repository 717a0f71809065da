using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DependencyProxy.Tests.Infrastructure;

/// <summary>
/// Counts the database commands one request causes. A request carrying <see cref="Header"/> is counted under its
/// value; commands run elsewhere at the same time (read-time flushes, cleanup, other requests) are not, because the
/// label travels with the request's own async flow.
/// </summary>
public sealed class RequestQueryCounter : DbCommandInterceptor, IStartupFilter
{
    public const string Header = "X-Test-Count-Queries";

    private static readonly AsyncLocal<string?> CurrentLabel = new();

    private readonly ConcurrentDictionary<string, int> _counts = new();

    /// <summary>Commands counted under <paramref name="label"/> so far (0 when none ran).</summary>
    public int CountOf(string label) => _counts.GetValueOrDefault(label);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, following) =>
        {
            CurrentLabel.Value = context.Request.Headers[Header].FirstOrDefault();
            await following(context);
        });
        next(app);
    };

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        Count(base.ReaderExecuting(command, eventData, result));

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        Count(base.ReaderExecutingAsync(command, eventData, result, cancellationToken));

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        Count(base.ScalarExecuting(command, eventData, result));

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
        Count(base.ScalarExecutingAsync(command, eventData, result, cancellationToken));

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        Count(base.NonQueryExecuting(command, eventData, result));

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        Count(base.NonQueryExecutingAsync(command, eventData, result, cancellationToken));

    private T Count<T>(T result)
    {
        if (CurrentLabel.Value is { } label)
        {
            _counts.AddOrUpdate(label, 1, (_, n) => n + 1);
        }

        return result;
    }
}
