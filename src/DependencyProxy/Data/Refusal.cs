namespace DependencyProxy.Data;

/// <summary>What kind of refusal: the API, the pages and the CLI decide their answer by this, never by the message's text.</summary>
internal enum RefusalKind
{
    /// <summary>A value is invalid or missing.</summary>
    BadRequest,
    Forbidden,
    NotFound,
    /// <summary>The value clashes with what exists (a taken username or email, an existing group path or member).</summary>
    Conflict,
    /// <summary>The caller did this too often lately (connection tests): it may try again later.</summary>
    TooMany,
}

/// <summary>
/// Why a change was refused, as the services of the lower floors (Identity, Groups) report it. The message is for a
/// person and is passed on as it is; for NotFound it names what was not found.
/// </summary>
internal sealed record Refusal(RefusalKind Kind, string? Message)
{
    public static Refusal Invalid(string message) => new(RefusalKind.BadRequest, message);

    public static Refusal Taken(string message) => new(RefusalKind.Conflict, message);
}
