namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// The claim sets of the two CI systems' ID tokens, as their documentation shows them: GitLab CI's <c>id_tokens</c>
/// (<c>project_path</c>, <c>namespace_path</c>, <c>ref</c>, <c>ref_type</c>, <c>ref_protected</c> as a string, …) and
/// GitHub Actions' OIDC token (<c>repository</c>, <c>repository_owner</c>, <c>ref</c>, <c>workflow</c>,
/// <c>job_workflow_ref</c>, …). <c>iss</c>, <c>aud</c> and the times are added by <see cref="CiIssuer.Mint"/>.
/// </summary>
public static class CiTokens
{
    public static Dictionary<string, object> GitLab(string projectPath, string reference = "main", bool protectedRef = true, string user = "alice") => new()
    {
        ["sub"] = $"project_path:{projectPath}:ref_type:branch:ref:{reference}",
        ["namespace_id"] = "42",
        ["namespace_path"] = projectPath[..projectPath.LastIndexOf('/')],
        ["project_id"] = "4711",
        ["project_path"] = projectPath,
        ["user_id"] = "7",
        ["user_login"] = user,
        ["user_email"] = $"{user}@example.com",
        ["pipeline_id"] = "1001",
        ["pipeline_source"] = "push",
        ["job_id"] = "50001",
        ["ref"] = reference,
        ["ref_type"] = "branch",
        ["ref_path"] = $"refs/heads/{reference}",
        // GitLab sends it as a string, not a JSON boolean.
        ["ref_protected"] = protectedRef ? "true" : "false",
        ["runner_id"] = 3,
        ["runner_environment"] = "self-hosted",
    };

    public static Dictionary<string, object> GitHub(string repository, string reference = "refs/heads/main", string workflow = "build") => new()
    {
        ["sub"] = $"repo:{repository}:ref:{reference}",
        ["repository"] = repository,
        ["repository_owner"] = repository[..repository.IndexOf('/')],
        ["repository_id"] = "123456",
        ["repository_visibility"] = "private",
        ["actor"] = "octocat",
        ["ref"] = reference,
        ["ref_type"] = "branch",
        ["ref_protected"] = "true",
        ["workflow"] = workflow,
        ["workflow_ref"] = $"{repository}/.github/workflows/{workflow}.yml@{reference}",
        ["job_workflow_ref"] = $"{repository}/.github/workflows/{workflow}.yml@{reference}",
        ["event_name"] = "push",
        ["run_id"] = "9876543210",
        ["runner_environment"] = "github-hosted",
    };
}
