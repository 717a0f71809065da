namespace DependencyProxy.Api;

/// <summary>
/// Refuses passwords, secrets and tokens in the query string of any <c>/api/v4</c> call, before anything else reads
/// them: URLs land in access logs, proxy logs, shell history and browser history. GitLab accepts
/// <c>?private_token=</c>; here the answer says to use the <c>PRIVATE-TOKEN</c> header instead.
/// </summary>
internal sealed class SecretsInUrlFilter : IEndpointFilter
{
    private static readonly HashSet<string> SecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "current_password", "new_password", "secret", "token", "private_token", "access_token", "job_token",
    };

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        foreach (var key in invocation.HttpContext.Request.Query.Keys)
        {
            var name = (key.EndsWith("[]", StringComparison.Ordinal) ? key[..^2] : key).ToLowerInvariant();
            if (SecretNames.Contains(name))
            {
                var where = name.EndsWith("_token", StringComparison.Ordinal) && name != "token"
                    ? "send a token in the PRIVATE-TOKEN header"
                    : $"send {name} in the request body (form or JSON)";
                return ValueTask.FromResult<object?>(ApiResults.BadRequest($"{name} is not accepted in the URL, where it would be logged: {where}"));
            }
        }

        return next(invocation);
    }
}
