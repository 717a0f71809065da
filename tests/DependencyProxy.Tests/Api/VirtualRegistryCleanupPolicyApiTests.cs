using System.Net;
using System.Text.Json;
using DependencyProxy.Tests.Infrastructure;

namespace DependencyProxy.Tests.Api;

/// <summary>GitLab's virtual registries cleanup policies API over plain HTTP: owners only, GitLab's fields and codes, hostile bodies.</summary>
public sealed class VirtualRegistryCleanupPolicyApiTests : ProxyTestBase
{
    private const string Policy = "/groups/team/-/virtual_registries/cleanup/policy";

    /// <summary>A private top-level group with an owner (and their narrow tokens), a maintainer, a guest; an owner of another group.</summary>
    private async Task<(string Owner, string ReadOnly, string WriteOnly, string Maintainer, string Guest, string Other)> TeamAsync()
    {
        var (ownerId, owner) = await Api.CreateUserWithTokenAsync("owner");
        var (maintainerId, maintainer) = await Api.CreateUserWithTokenAsync("maintainer");
        var (guestId, guest) = await Api.CreateUserWithTokenAsync("guest");
        var (_, other) = await Api.CreateUserWithTokenAsync("other");
        await Api.PostAsync("/groups", owner, new { name = "Team", path = "team", visibility = "private" });
        await Api.PostAsync("/groups", other, new { name = "Other", path = "other", visibility = "private" });
        await Api.PostAsync("/groups/team/members", owner, new { user_id = maintainerId, access_level = 40 });
        await Api.PostAsync("/groups/team/members", owner, new { user_id = guestId, access_level = 10 });
        async Task<string> TokenAsync(string scope) =>
            (await Api.PostAsync($"/users/{ownerId}/personal_access_tokens", Root, new { name = scope, scopes = new[] { scope } })).Body.GetProperty("token").GetString()!;
        return (owner, await TokenAsync("read_virtual_registry"), await TokenAsync("write_virtual_registry"), maintainer, guest, other);
    }

    [Fact]
    public async Task OwnersManageThePolicy_WithGitLabsFieldsAndCodes_OthersAreRefused()
    {
        var (owner, readOnly, writeOnly, maintainer, guest, other) = await TeamAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(Policy, owner)).Status);            // none yet
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(Policy, readOnly)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.GetAsync(Policy, null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(Policy, other)).Status);            // a private group's stranger
        foreach (var member in new[] { maintainer, guest })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await Api.GetAsync(Policy, member)).Status);      // GitLab: owners only
            Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync(Policy, member, new { enabled = true })).Status);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.PostAsync(Policy, readOnly, new { enabled = true })).Status); // insufficient_scope
        var (created, policy) = await Api.PostAsync(Policy, writeOnly, "{}");
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(
            ["group_id", "next_run_at", "last_run_at", "last_run_deleted_size", "last_run_deleted_entries_count", "keep_n_days_after_download", "status",
                "cadence", "enabled", "notify_on_success", "notify_on_failure", "failure_message", "last_run_detailed_metrics", "created_at", "updated_at"],
            policy.EnumerateObject().Select(p => p.Name));
        Assert.Equal((false, 30, 7, "scheduled"), (policy.GetProperty("enabled").GetBoolean(), policy.GetProperty("keep_n_days_after_download").GetInt32(),
            policy.GetProperty("cadence").GetInt32(), policy.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, policy.GetProperty("last_run_at").ValueKind);
        Assert.Empty(policy.GetProperty("last_run_detailed_metrics").EnumerateObject());
        var created7 = policy.GetProperty("created_at").GetDateTime();
        Assert.InRange(policy.GetProperty("next_run_at").GetDateTime() - created7, TimeSpan.FromDays(6.99), TimeSpan.FromDays(7.01));

        var (again, taken) = await Api.PostAsync(Policy, owner, new { enabled = true });
        Assert.Equal(HttpStatusCode.BadRequest, again);
        Assert.Equal("has already been taken", taken.GetProperty("message").GetProperty("group")[0].GetString());

        var (empty, why) = await Api.SendAsync(HttpMethod.Patch, Policy, owner, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, empty);
        Assert.Contains("at least one parameter", why.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.SendAsync(HttpMethod.Patch, Policy, maintainer, new { enabled = true })).Status);
        var (patched, changed) = await Api.SendAsync(HttpMethod.Patch, Policy, writeOnly,
            new { enabled = true, keep_n_days_after_download = 60, cadence = 14, notify_on_failure = true });
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal((true, 60, 14, true), (changed.GetProperty("enabled").GetBoolean(), changed.GetProperty("keep_n_days_after_download").GetInt32(),
            changed.GetProperty("cadence").GetInt32(), changed.GetProperty("notify_on_failure").GetBoolean()));
        Assert.Equal(60, (await Api.GetAsync(Policy, readOnly)).Body.GetProperty("keep_n_days_after_download").GetInt32());

        // The group's Virtual registries page shows it to owners, read-only.
        using (var ownerBrowser = new DependencyProxy.Tests.Web.WebClient(Proxy))
        using (var maintainerBrowser = new DependencyProxy.Tests.Web.WebClient(Proxy))
        {
            (await ownerBrowser.SignInAsync("owner")).Dispose();
            (await maintainerBrowser.SignInAsync("maintainer")).Dispose();
            var page = await ownerBrowser.GetPageAsync("/groups/-/virtual_registries/team");
            Assert.Contains("<dd id=\"cleanup-policy-keep\">60 days after the last download</dd>", page);
            Assert.Contains("every 14 days, next", page);
            Assert.DoesNotContain("cleanup-policy", await maintainerBrowser.GetPageAsync("/groups/-/virtual_registries/team"));
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await Api.DeleteAsync(Policy, maintainer)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.DeleteAsync(Policy, owner)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DeleteAsync(Policy, owner)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.SendAsync(HttpMethod.Patch, Policy, owner, new { enabled = true })).Status);

        // Virtual registries, and their policy, belong to top-level groups only.
        await Api.PostAsync("/groups", owner, new { name = "Sub", path = "sub", parent_id = (await Api.GetAsync("/groups/team", owner)).Body.GetProperty("id").GetInt64() });
        var (subgroup, refused) = await Api.PostAsync("/groups/team%2Fsub/-/virtual_registries/cleanup/policy", owner, new { enabled = true });
        Assert.Equal(HttpStatusCode.BadRequest, subgroup);
        Assert.Contains("top-level", refused.ToString());
    }

    [Fact]
    public async Task HostileBodies_AndARegistrysOwnKeep_AreCheckedBeforeAnythingIsWritten()
    {
        var (owner, _, _, maintainer, _, _) = await TeamAsync();
        foreach (var (body, expected) in new (string, string)[]
                 {
                     ("{\"keep_n_days_after_download\": 0}", "keep_n_days_after_download does not have a valid value"),
                     ("{\"keep_n_days_after_download\": -1}", "keep_n_days_after_download does not have a valid value"),
                     ("{\"keep_n_days_after_download\": 366}", "keep_n_days_after_download does not have a valid value"),
                     ("{\"keep_n_days_after_download\": 9223372036854775807}", "keep_n_days_after_download does not have a valid value"),
                     ("{\"keep_n_days_after_download\": 99999999999999999999}", "keep_n_days_after_download is invalid"),
                     ("{\"keep_n_days_after_download\": \"ten\"}", "keep_n_days_after_download is invalid"),
                     ("{\"keep_n_days_after_download\": 1.5}", "keep_n_days_after_download is invalid"),
                     ("{\"cadence\": 2}", "cadence does not have a valid value"),
                     ("{\"cadence\": -7}", "cadence does not have a valid value"),
                     ("{\"cadence\": 4294967303}", "cadence does not have a valid value"),
                     ("{\"cadence\": \"weekly\"}", "cadence is invalid"),
                     ("{\"enabled\": \"maybe\"}", "enabled is invalid"),
                     ("{\"enabled\": {}}", "enabled is invalid"),
                     ("[true]", "must be a JSON object"),
                     ("{\"enabled\": ", "not valid JSON"),
                 })
        {
            var (status, answer) = await Api.PostAsync(Policy, owner, body);
            Assert.True(status == HttpStatusCode.BadRequest, $"{body}: {status} {answer}");
            Assert.Contains(expected, answer.ToString());
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(Policy, owner)).Status); // none of them created one
        foreach (var id in new[] { "0", "-1", "99999999999999999999", "nope", "%2E%2E", "team%2F..%2Fother" })
        {
            var (status, answer) = await Api.PostAsync($"/groups/{id}/-/virtual_registries/cleanup/policy", owner, new { enabled = true });
            Assert.True(status == HttpStatusCode.NotFound, $"{id}: {status} {answer}");
        }

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge,
            (await Api.PostAsync(Policy, owner, $"{{\"enabled\": true, \"x\": \"{new string('x', 70_000)}\"}}")).Status);

        // A registry's own keep: maintainers set it with the registry (PATCH), null follows the policy again.
        var (_, registry) = await Api.PostAsync("/groups/team/-/virtual_registries/container/registries", maintainer, new { name = "hub" });
        var path = $"/virtual_registries/container/registries/{registry.GetProperty("id").GetInt64()}";
        foreach (var bad in new[] { "0", "-5", "366", "\"soon\"", "99999999999999999999", "{}", "true" })
        {
            var (status, answer) = await Api.SendAsync(HttpMethod.Patch, path, maintainer, $"{{\"name\": \"renamed\", \"cache_keep_n_days_after_download\": {bad}}}");
            Assert.True(status == HttpStatusCode.BadRequest, $"{bad}: {status} {answer}");
            Assert.Contains("cache_keep_n_days_after_download", answer.ToString());
        }

        Assert.Equal("hub", (await Api.GetAsync(path, maintainer)).Body.GetProperty("name").GetString()); // the name did not change either
        var (set, withKeep) = await Api.SendAsync(HttpMethod.Patch, path, maintainer, new { cache_keep_n_days_after_download = 3 });
        Assert.Equal(HttpStatusCode.OK, set);
        Assert.Equal(3, withKeep.GetProperty("cache_keep_n_days_after_download").GetInt32());
        Assert.Equal(3, (await Api.GetAsync(path, maintainer)).Body.GetProperty("cache_keep_n_days_after_download").GetInt32());
        var (cleared, _) = await Api.SendAsync(HttpMethod.Patch, path, maintainer, "{\"cache_keep_n_days_after_download\": null}");
        Assert.Equal(HttpStatusCode.OK, cleared);
        Assert.Equal(JsonValueKind.Null, (await Api.GetAsync(path, maintainer)).Body.GetProperty("cache_keep_n_days_after_download").ValueKind);
    }
}
