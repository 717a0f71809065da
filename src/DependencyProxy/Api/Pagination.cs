namespace DependencyProxy.Api;

/// <summary>GitLab's offset pagination: <c>page</c>, <c>per_page</c> (default 20, at most 100) and its headers.</summary>
internal readonly record struct Pagination(int Page, int PerPage)
{
    public int Offset => (Page - 1) * PerPage;

    public static bool TryRead(ApiParameters parameters, out Pagination pagination, out string? error)
    {
        pagination = new Pagination(1, 20);
        if (!parameters.TryInt("page", out var page, out error) || !parameters.TryInt("per_page", out var perPage, out error))
        {
            return false;
        }

        if (page is < 1 or > 1_000_000 || perPage < 1)
        {
            error = page is < 1 or > 1_000_000 ? "page is invalid" : "per_page is invalid";
            return false;
        }

        pagination = new Pagination((int)(page ?? 1), (int)Math.Min(perPage ?? 20, 100));
        return true;
    }

    /// <summary>X-Total, X-Total-Pages, X-Page, X-Per-Page, X-Next-Page, X-Prev-Page and Link.</summary>
    public void WriteHeaders(HttpContext context, int total)
    {
        var headers = context.Response.Headers;
        var totalPages = Math.Max(1, (total + PerPage - 1) / PerPage);
        headers["X-Total"] = total.ToString();
        headers["X-Total-Pages"] = totalPages.ToString();
        headers["X-Page"] = Page.ToString();
        headers["X-Per-Page"] = PerPage.ToString();
        headers["X-Next-Page"] = Page < totalPages ? (Page + 1).ToString() : "";
        headers["X-Prev-Page"] = Page > 1 ? (Page - 1).ToString() : "";
        var request = context.Request;
        var perPage = PerPage;
        string Link(int page, string rel)
        {
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString.Value)
                .Where(q => q.Key is not ("page" or "per_page"))
                .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append($"page={page}").Append($"per_page={perPage}");
            return $"<{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{string.Join('&', query)}>; rel=\"{rel}\"";
        }

        var links = new List<string>();
        if (Page > 1)
        {
            links.Add(Link(Page - 1, "prev"));
        }

        if (Page < totalPages)
        {
            links.Add(Link(Page + 1, "next"));
        }

        links.Add(Link(1, "first"));
        links.Add(Link(totalPages, "last"));
        headers.Link = string.Join(", ", links);
    }
}
