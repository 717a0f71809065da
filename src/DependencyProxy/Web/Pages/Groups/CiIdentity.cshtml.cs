using DependencyProxy.CiIdentity;
using DependencyProxy.Configuration;
using DependencyProxy.Data;
using DependencyProxy.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Web.Pages.Groups;

/// <summary>
/// A group's trust rules for CI tokens (issue 19) and its recent CI identity pulls, under the group's Settings.
/// Maintainers and up see them, as the REST API lists them for maintainers; owners add and remove rules through the
/// same service and checks as <c>POST|DELETE /groups/:id/ci_identity_trusts</c>.
/// </summary>
internal sealed class CiIdentityModel(CiTrustRules trusts, CiPullAudit audit, IOptions<CiIdentityOptions> issuers, PublicAddress address, TimeProvider time)
    : SignedInPageModel
{
    /// <summary>How many of the latest CI identity pulls the page shows; the REST API pages through all of them.</summary>
    public const int RecentPulls = 20;

    public Group Group { get; private set; } = null!;

    public int AccessLevel { get; private set; }

    public bool IsOwner => AccessLevel >= AccessLevels.Owner;

    public IReadOnlyList<CiIdentityTrust> Trusts { get; private set; } = [];

    public IReadOnlyList<CiIdentityPull> Pulls { get; private set; } = [];

    /// <summary>The configured issuers' URLs: the only ones a rule may name.</summary>
    public IReadOnlyList<string> Issuers => [.. issuers.Value.Issuers.Values.Select(i => i.Url).Order(StringComparer.Ordinal)];

    /// <summary>What was typed, shown again when the form is refused.</summary>
    public TrustForm Form { get; private set; } = new(null, null, null, null, null);

    public string Host => address.ImageHost ?? Request.Host.Value ?? "";

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public IReadOnlyDictionary<string, string> ClaimsOf(CiIdentityTrust trust) => TrustClaims.Parse(trust.Claims);

    public async Task<IActionResult> OnGetAsync(string path) => await LoadAsync(path) ?? Page();

    public async Task<IActionResult> OnPostAddAsync(string path, [FromForm] string? name, [FromForm] string? issuer, [FromForm] string? audience,
        [FromForm] string? claims, [FromForm(Name = "access_level")] string? accessLevel)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        Form = new TrustForm(name, issuer, audience, claims, accessLevel);
        if (!IsOwner)
        {
            return Refuse("Only owners add trust rules.", StatusCodes.Status403Forbidden);
        }

        var (parsed, problem) = ClaimAssignments.Parse((claims ?? "").Split('\n'));
        var level = accessLevel switch { "guest" => AccessLevels.Guest, "reporter" => AccessLevels.Reporter, _ => 0 };
        if (problem is null && level == 0)
        {
            problem = "access_level must be guest or reporter";
        }

        var request = new NewTrust(name, issuer, audience?.Trim(), parsed, level);
        problem ??= trusts.Problem(request);
        var created = problem is null ? await trusts.AddAsync(Group.Id, request, HttpContext.RequestAborted) : null;
        if (created is null)
        {
            return Refuse(Sentence(problem ?? $"a group holds at most {CiTrustRules.MaxPerGroup} trust rules: remove one first"),
                problem is null ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest);
        }

        Notice = $"Rule “{created.Name}” added: matching CI tokens can pull from {Group.FullPath} now.";
        return Redirect($"/groups/-/ci_identity/{Group.FullPath}");
    }

    public async Task<IActionResult> OnPostRemoveAsync(string path, [FromForm] string? id)
    {
        if (await LoadAsync(path) is { } denied)
        {
            return denied;
        }

        if (!IsOwner)
        {
            return Refuse("Only owners remove trust rules.", StatusCodes.Status403Forbidden);
        }

        // Plain decimal digits of a rule of this group; anything else is 404, as for the other pages' ids.
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var trustId)
            || Trusts.FirstOrDefault(t => t.Id == trustId) is not { } trust
            || !await trusts.DeleteAsync(Group.Id, trustId, HttpContext.RequestAborted))
        {
            return NotFound();
        }

        Notice = $"Rule “{trust.Name}” removed: tokens it matched can no longer pull, from their next request on.";
        return Redirect($"/groups/-/ci_identity/{Group.FullPath}");
    }

    private static string Sentence(string problem) => char.ToUpperInvariant(problem[0]) + problem[1..] + (problem.EndsWith('.') ? "" : ".");

    /// <summary>404 for a group the caller may not know; 403 below maintainer, who may not see the rules.</summary>
    private async Task<IActionResult?> LoadAsync(string path)
    {
        if (await FindGroupAsync(path) is not { } found)
        {
            return NotFound();
        }

        (Group, AccessLevel) = found;
        if (AccessLevel < AccessLevels.Maintainer)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        Trusts = (await trusts.ListAsync(Group.Id, 0, CiTrustRules.MaxPerGroup, HttpContext.RequestAborted)).Page;
        Pulls = (await audit.ListAsync(Group.Id, 0, RecentPulls, HttpContext.RequestAborted)).Page;
        return null;
    }

    /// <summary>The add form's fields as typed.</summary>
    public sealed record TrustForm(string? Name, string? Issuer, string? Audience, string? Claims, string? AccessLevel);
}
