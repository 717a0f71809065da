"""Drives the proxy's /api/v4 with python-gitlab (Debian's python3-gitlab 3.12) as a GitLab user's script would.

Usage: /usr/bin/python3 gitlab_api_suite.py URL ROOT_TOKEN EXPECTED_VERSION EXPECTED_REVISION UPSTREAM_URL

Every step checks the answer; the first wrong one ends the script with exit status 1 and a line saying what was
expected and what came back. The server starts with a public group "e2e" whose upstream serves library/tiny:latest;
UPSTREAM_URL is that upstream's URL (the server's Docker Hub), which virtual registries may name.
"""
import sys
import traceback

import gitlab
import requests

URL, ROOT_TOKEN, EXPECTED_VERSION, EXPECTED_REVISION, UPSTREAM_URL = sys.argv[1:6]
PASSWORD = "a-long-enough-password-1"
steps = []


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def equal(actual, expected, what):
    check(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def raises(exception_class, status, call, what):
    """The call must raise python-gitlab's exception_class carrying the HTTP status."""
    try:
        call()
    except exception_class as error:
        equal(error.response_code, status, f"{what}: status of {type(error).__name__}")
        return error
    except gitlab.exceptions.GitlabError as error:
        raise AssertionError(f"{what}: expected {exception_class.__name__} {status}, got {type(error).__name__} "
                             f"{error.response_code} {error.error_message}")
    raise AssertionError(f"{what}: expected {exception_class.__name__} {status}, the call succeeded")


def step(name):
    def run(function):
        try:
            function()
        except Exception as error:  # the first wrong answer ends the suite, saying which step and what
            traceback.print_exc()
            print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
            sys.exit(1)
        steps.append(name)
        print(f"ok   {name}", flush=True)
        return function
    return run


root = gitlab.Gitlab(URL, private_token=ROOT_TOKEN)
state = {}


@step("gl.auth() and gl.version()")
def _():
    root.auth()
    equal(root.user.username, "root", "gl.user.username")
    check(root.user.is_admin is True, "root is an administrator")
    equal(root.version(), (EXPECTED_VERSION, EXPECTED_REVISION), "gl.version()")


@step("users: create, get, list, update")
def _():
    alice = root.users.create({"username": "alice", "email": "alice@example.com", "name": "Alice", "password": PASSWORD})
    check(isinstance(alice.id, int), f"users.create returns an integer id, got {alice.id!r}")
    equal(root.users.get(alice.id).username, "alice", "users.get(id).username")
    equal([u.id for u in root.users.list(username="alice")], [alice.id], "users.list(username=)")
    check("alice" in [u.username for u in root.users.list(get_all=True)], "users.list(get_all=True) has alice")
    alice.name = "Alice Liddell"
    alice.save()
    equal(root.users.get(alice.id).name, "Alice Liddell", "name after user.save()")
    bob = root.users.create({"username": "bob", "email": "bob@example.com", "name": "Bob", "password": PASSWORD})
    state.update(alice=alice, bob=bob)


@step("personal access tokens: create, list, use, revoke")
def _():
    alice = state["alice"]
    token = alice.personal_access_tokens.create({"name": "laptop", "scopes": ["api", "read_registry"]})
    check(token.token.startswith("dpat-"), f"the one-time token value is in the answer: {token.attributes}")
    equal(token.user_id, alice.id, "token.user_id")
    listed = root.personal_access_tokens.list(user_id=alice.id)
    check(token.id in [t.id for t in listed], f"personal_access_tokens.list(user_id=) has the token: {[t.id for t in listed]}")
    spare = alice.personal_access_tokens.create({"name": "spare", "scopes": ["read_api"]})
    equal(spare.last_used_at, None, "last_used_at of a new token")
    as_spare = gitlab.Gitlab(URL, private_token=spare.token)
    as_spare.auth()
    equal(as_spare.user.id, alice.id, "a new token authenticates its user")
    used = {t.id: t.last_used_at for t in root.personal_access_tokens.list(user_id=alice.id)}
    check(isinstance(used[spare.id], str) and used[spare.id].endswith("Z"), f"last_used_at once used, ISO 8601 UTC: {used}")
    equal(used[token.id], None, "last_used_at of a token never used")
    root.personal_access_tokens.delete(spare.id)
    raises(gitlab.exceptions.GitlabAuthenticationError, 401, gitlab.Gitlab(URL, private_token=spare.token).auth, "a revoked token")
    state["alice_gl"] = gitlab.Gitlab(URL, private_token=token.token)
    state["alice_gl"].auth()


@step("groups and subgroups: create, get, list, update")
def _():
    gl = state["alice_gl"]
    team = gl.groups.create({"name": "Team", "path": "team"})
    check(isinstance(team.id, int), f"groups.create returns an integer id, got {team.id!r}")
    sub = gl.groups.create({"name": "Sub", "path": "sub", "parent_id": team.id})
    equal(sub.parent_id, team.id, "subgroup.parent_id")
    equal(gl.groups.get(team.id).full_path, "team", "groups.get(id)")
    equal(gl.groups.get("team/sub").id, sub.id, "groups.get('team/sub')")
    equal([g.full_path for g in team.subgroups.list()], ["team/sub"], "group.subgroups.list()")
    team.description = "The team"
    team.save()
    equal(gl.groups.get(team.id).description, "The team", "description after group.save()")
    equal(sorted(g.full_path for g in gl.groups.list(get_all=True)), ["e2e", "team", "team/sub"], "groups alice sees")
    state.update(team=team, sub=sub)


@step("members: create, get, list, all, update, delete")
def _():
    team, sub, bob, alice = state["team"], state["sub"], state["bob"], state["alice"]
    member = team.members.create({"user_id": bob.id, "access_level": 30})
    equal((member.id, member.access_level), (bob.id, 30), "members.create")
    equal(team.members.get(bob.id).access_level, 30, "members.get(user_id)")
    equal(sorted(m.username for m in team.members.list()), ["alice", "bob"], "members.list()")
    sub.members.create({"user_id": bob.id, "access_level": 10})
    inherited = {m.username: m.access_level for m in sub.members_all.list(get_all=True)}
    equal(inherited, {"alice": 50, "bob": 30}, "subgroup members_all: inherited, the highest role each")
    equal(sub.members_all.get(bob.id).access_level, 30, "members_all.get(user_id)")
    equal(sub.members.get(bob.id).access_level, 10, "the direct membership in the subgroup")
    member.access_level = 40
    member.save()
    equal(team.members.get(bob.id).access_level, 40, "access_level after member.save()")
    raises(gitlab.exceptions.GitlabCreateError, 409, lambda: team.members.create({"user_id": bob.id, "access_level": 30}), "a member twice")
    member.delete()
    raises(gitlab.exceptions.GitlabGetError, 404, lambda: team.members.get(bob.id), "a removed member")
    equal([m.username for m in team.members.list()], ["alice"], "members after the removal")
    check(alice.id in [m.id for m in team.members_all.list()], "the owner stays")


@step("deploy tokens: create, get, list, delete")
def _():
    team = state["team"]
    token = team.deploytokens.create({"name": "ci", "scopes": ["read_registry"]})
    check(token.token.startswith("dpdt-") and token.username, f"the deploy token and its username are in the answer: {token.attributes}")
    equal(team.deploytokens.get(token.id).name, "ci", "deploytokens.get(id)")
    check("token" not in team.deploytokens.get(token.id).attributes or team.deploytokens.get(token.id).token is None,
          "the secret is shown once only")
    equal([t.id for t in team.deploytokens.list()], [token.id], "deploytokens.list()")
    login = requests.get(f"{URL}/jwt/auth", params={"service": "dependency_proxy"}, auth=(token.username, token.token), timeout=30)
    equal(login.status_code, 200, "docker login with the deploy token and its username")
    login = requests.get(f"{URL}/jwt/auth", params={"service": "dependency_proxy"}, auth=("someone-else", token.token), timeout=30)
    equal(login.status_code, 401, "a deploy token with another username")
    token.delete()
    equal(team.deploytokens.list(), [], "deploy tokens after delete")


@step("group access tokens: create, list, use with any username, revoke; the bot via users.get")
def _():
    team, gl = state["team"], state["alice_gl"]
    token = team.access_tokens.create({"name": "pipeline", "scopes": ["api", "read_registry"], "access_level": 30})
    check(token.token.startswith("dpat-"), f"the one-time token value is in the answer: {token.attributes}")
    check(isinstance(token.user_id, int), f"the bot's user_id is in the answer: {token.attributes}")
    bot = gl.users.get(token.user_id)
    check(bot.bot is True, f"users.get(bot) says bot: {bot.attributes}")
    equal([t.id for t in team.access_tokens.list()], [token.id], "access_tokens.list()")
    as_bot = gitlab.Gitlab(URL, private_token=token.token)
    as_bot.auth()
    equal(as_bot.user.id, token.user_id, "the token authenticates its bot")
    for username in ("pipeline", "anything", bot.username):
        login = requests.get(f"{URL}/jwt/auth", params={"service": "dependency_proxy", "scope": "repository:team/dependency_proxy/containers/tiny:pull"},
                             auth=(username, token.token), timeout=30)
        equal(login.status_code, 200, f"docker login with the group access token as {username!r}")
    # python-gitlab 3.12's access_tokens has no get(): a token is read from the list.
    listed = lambda token_id: next(t for t in team.access_tokens.list(get_all=True) if t.id == token_id)  # noqa: E731
    check(isinstance(listed(token.id).last_used_at, str), "last_used_at of a used group access token")
    team.access_tokens.delete(token.id)
    raises(gitlab.exceptions.GitlabAuthenticationError, 401, gitlab.Gitlab(URL, private_token=token.token).auth, "a revoked group access token")
    revoked = listed(token.id)
    equal((revoked.revoked, revoked.active, revoked.access_level), (True, False, 30), "a revoked token keeps the role it had")

    # GitLab: removing a bot member revokes its token; a bot is seen only by members of its group; it joins no group.
    second = team.access_tokens.create({"name": "deployer", "scopes": ["api", "read_registry"], "access_level": 20})
    bob_gl = gitlab.Gitlab(URL, private_token=state["bob"].personal_access_tokens.create({"name": "peek", "scopes": ["read_api"]}).token)
    raises(gitlab.exceptions.GitlabGetError, 404, lambda: bob_gl.users.get(second.user_id), "another group's bot, seen by a non-member")
    raises(gitlab.exceptions.GitlabCreateError, 403, lambda: state["sub"].members.create({"user_id": second.user_id, "access_level": 10}),
           "a bot added to another group")
    team.members.delete(second.user_id)
    removed = listed(second.id)
    equal((removed.revoked, removed.active, removed.access_level), (True, False, 20), "the token of a removed bot member")
    raises(gitlab.exceptions.GitlabAuthenticationError, 401, gitlab.Gitlab(URL, private_token=second.token).auth, "a removed bot's token")
    login = requests.get(f"{URL}/jwt/auth", params={"service": "dependency_proxy", "scope": "repository:team/dependency_proxy/containers/tiny:pull"},
                         auth=("anything", second.token), timeout=30)
    equal(login.status_code, 401, "docker login with a removed bot's token")


@step("dependency proxy settings and TTL policy")
def _():
    gl, team = state["alice_gl"], state["team"]
    settings = gl.http_get(f"/groups/{team.id}/dependency_proxy/settings")
    check("enabled" in settings and "secret" not in settings, f"settings: {settings}")
    equal(gl.http_put(f"/groups/{team.id}/dependency_proxy/settings", post_data={"enabled": False})["enabled"], False, "proxy off")
    equal(gl.http_get(f"/groups/{team.id}/dependency_proxy/settings")["enabled"], False, "proxy off, read back")
    gl.http_put(f"/groups/{team.id}/dependency_proxy/settings", post_data={"enabled": True})
    policy = gl.http_put(f"/groups/{team.id}/dependency_proxy/image_ttl_policy", post_data={"enabled": True, "ttl": 30})
    equal(policy, {"enabled": True, "ttl": 30}, "image_ttl_policy after PUT")
    equal(gl.http_get(f"/groups/{team.id}/dependency_proxy/image_ttl_policy"), {"enabled": True, "ttl": 30}, "image_ttl_policy read back")
    raises(gitlab.exceptions.GitlabHttpError, 400,
           lambda: gl.http_put(f"/groups/{team.id}/dependency_proxy/image_ttl_policy", post_data={"ttl": "soon"}), "a ttl that is no number")


@step("manifests, statistics, and purging the cache (202)")
def _():
    login = requests.get(f"{URL}/jwt/auth", params={"service": "dependency_proxy", "scope": "repository:e2e/dependency_proxy/containers/tiny:pull"},
                         auth=("root", ROOT_TOKEN), timeout=30)
    equal(login.status_code, 200, "registry login")
    pulled = requests.get(f"{URL}/v2/e2e/dependency_proxy/containers/tiny/manifests/latest", timeout=60, headers={
        "Authorization": f"Bearer {login.json()['token']}",
        "Accept": "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"})
    equal(pulled.status_code, 200, f"pull through the proxy ({pulled.text[:200]})")
    e2e = root.groups.get("e2e")
    manifests = root.http_list(f"/groups/{e2e.id}/dependency_proxy/manifests", get_all=True)
    check(any(m["reference"] == "latest" and "tiny" in m["image_name"] for m in manifests), f"manifests list the pulled tag: {manifests}")
    stats = root.http_get(f"/groups/{e2e.id}/dependency_proxy/statistics")
    check(isinstance(stats, dict) and stats, f"group statistics: {stats}")
    instance = root.http_get("/dependency_proxy/statistics")
    check("e2e" in [g["full_path"] for g in instance["groups"]], f"instance statistics list the group: {instance}")
    purge = root.http_delete(f"/groups/{e2e.id}/dependency_proxy/cache")
    equal(purge.status_code, 202, "DELETE /groups/:id/dependency_proxy/cache")


@step("pagination: more groups than a page, followed through Link")
def _():
    for i in range(23):
        root.groups.create({"name": f"Paged {i:02}", "path": f"paged-{i:02}"})
    expected = [f"paged-{i:02}" for i in range(23)]
    equal([g.path for g in root.groups.list(get_all=True, search="paged-")], expected, "groups.list(get_all=True)")
    equal([g.path for g in root.groups.list(all=True, search="paged-", per_page=5)], expected, "groups.list(all=True, per_page=5)")
    equal([g.path for g in root.groups.list(iterator=True, search="paged-", per_page=7)], expected, "groups.list(iterator=True)")
    first_page = root.groups.list(search="paged-", get_all=False)
    equal(len(first_page), 20, "one page by default")
    lazy = root.groups.list(iterator=True, search="paged-", per_page=10)
    equal((lazy.total, lazy.total_pages), (23, 3), "X-Total and X-Total-Pages")


@step("errors raise the right python-gitlab exceptions")
def _():
    raises(gitlab.exceptions.GitlabGetError, 404, lambda: root.groups.get(999999), "an unknown group")
    raises(gitlab.exceptions.GitlabGetError, 404, lambda: root.users.get(999999), "an unknown user")
    raises(gitlab.exceptions.GitlabGetError, 404, lambda: state["team"].members.get(999999), "an unknown member")
    raises(gitlab.exceptions.GitlabAuthenticationError, 401, gitlab.Gitlab(URL, private_token="dpat-not-a-real-token").auth, "a wrong token")
    raises(gitlab.exceptions.GitlabAuthenticationError, 401, gitlab.Gitlab(URL).groups.list, "no token")
    raises(gitlab.exceptions.GitlabCreateError, 400, lambda: root.groups.create({"name": "Bad", "path": "bad path!"}), "an invalid path")
    raises(gitlab.exceptions.GitlabCreateError, 400, lambda: root.users.create(
        {"username": "carol", "email": "not-an-address", "name": "Carol", "password": PASSWORD}), "an invalid email")
    raises(gitlab.exceptions.GitlabCreateError, 409, lambda: root.users.create(
        {"username": "alice", "email": "other@example.com", "name": "A", "password": PASSWORD}), "a taken username")
    bob_gl = gitlab.Gitlab(URL, private_token=state["bob"].personal_access_tokens.create({"name": "b", "scopes": ["api"]}).token)
    error = raises(gitlab.exceptions.GitlabGetError, 404, lambda: bob_gl.groups.get(state["team"].id), "another user's private group")
    check("Group Not Found" in str(error.error_message), f"404 message: {error.error_message}")


@step("container virtual registries through the generic http_* calls")
def _():
    e2e = root.groups.get("e2e")
    registries = f"/groups/{e2e.id}/-/virtual_registries/container/registries"
    registry = root.http_post(registries, post_data={"name": "e2e-vr", "description": "two upstreams"})
    equal(sorted(registry), sorted(["id", "group_id", "name", "description", "created_at", "updated_at"]), "registry fields")
    equal(registry["group_id"], e2e.id, "registry group_id")
    check(registry["id"] in [r["id"] for r in root.http_list(registries, get_all=True)], "the group lists the registry")
    vr = f"/virtual_registries/container/registries/{registry['id']}"
    first = root.http_post(f"{vr}/upstreams", post_data={"name": "first", "url": UPSTREAM_URL, "cache_validity_hours": 0})
    second = root.http_post(f"{vr}/upstreams", post_data={"name": "second", "url": UPSTREAM_URL, "username": "u", "password": "upstream-secret"})
    equal((first["registry_upstream"]["position"], second["registry_upstream"]["position"]), (1, 2), "positions in creation order")
    equal((first["cache_validity_hours"], second["username"]), (0, "u"), "cache_validity_hours and username")
    check("password" not in second and "upstream-secret" not in str(second), f"no password in the answer: {second}")

    link = second["registry_upstream"]["id"]
    moved = root.http_request("patch", f"/virtual_registries/container/registry_upstreams/{link}", post_data={"position": 1}).json()
    equal(moved["position"], 1, "PATCH registry_upstreams position")
    equal([u["name"] for u in root.http_list(f"{vr}/upstreams", get_all=True)], ["second", "first"], "order after the move")
    equal([l["upstream_id"] for l in root.http_get(vr)["registry_upstreams"]], [second["id"], first["id"]], "registry_upstreams of GET registry")
    upstream = root.http_get(f"/virtual_registries/container/upstreams/{first['id']}")
    equal([(l["registry_id"], l["position"]) for l in upstream["registry_upstreams"]], [(registry["id"], 2)], "GET upstream registry_upstreams")
    named = root.http_list(f"/groups/{e2e.id}/-/virtual_registries/container/upstreams", query_data={"upstream_name": "SEC"}, get_all=True)
    equal([u["id"] for u in named], [second["id"]], "group upstreams by upstream_name")
    changed = root.http_request("patch", f"/virtual_registries/container/upstreams/{first['id']}", post_data={"cache_validity_hours": 12}).json()
    equal(changed["cache_validity_hours"], 12, "PATCH upstream")

    tested = root.http_post(f"/groups/{e2e.id}/-/virtual_registries/container/upstreams/test", post_data={"url": UPSTREAM_URL})
    equal(tested, {"success": True}, "test before creating")
    equal(root.http_post(f"/virtual_registries/container/upstreams/{first['id']}/test"), {"success": True}, "test an upstream")
    equal(root.http_list(f"/virtual_registries/container/upstreams/{first['id']}/cache_entries", query_data={"search": "tiny"}, get_all=True),
          [], "no cache entries yet")

    raises(gitlab.exceptions.GitlabHttpError, 400, lambda: root.http_post(f"{vr}/upstreams", post_data={"name": "x", "url": "file:///etc/passwd"}),
           "a file: URL")
    raises(gitlab.exceptions.GitlabHttpError, 400, lambda: root.http_request(
        "patch", f"/virtual_registries/container/registry_upstreams/{link}", post_data={"position": 0}), "position 0")
    raises(gitlab.exceptions.GitlabHttpError, 404, lambda: root.http_get("/virtual_registries/container/registries/999999"), "an unknown registry")
    equal(root.http_delete(f"/virtual_registries/container/upstreams/{first['id']}/cache").status_code, 204, "DELETE upstream cache")
    equal(root.http_delete(f"{vr}/cache").status_code, 204, "DELETE registry cache")
    equal(root.http_delete(vr).status_code, 204, "DELETE registry")
    raises(gitlab.exceptions.GitlabHttpError, 404, lambda: root.http_get(f"/virtual_registries/container/upstreams/{second['id']}"),
           "its upstreams went with it")


@step("deletes: a subgroup, a group, users (not a sole owner)")
def _():
    gl, team, sub = state["alice_gl"], state["team"], state["sub"]
    gl.groups.delete(sub.id)
    equal(team.subgroups.list(), [], "subgroups after delete")
    raises(gitlab.exceptions.GitlabDeleteError, 409, lambda: root.users.delete(state["alice"].id), "deleting the only owner of a group")
    team.delete()
    raises(gitlab.exceptions.GitlabGetError, 404, lambda: root.groups.get(team.id), "a deleted group")
    root.users.delete(state["bob"].id)
    raises(gitlab.exceptions.GitlabGetError, 404, lambda: root.users.get(state["bob"].id), "a deleted user")
    root.users.delete(state["alice"].id)
    raises(gitlab.exceptions.GitlabAuthenticationError, 401, gl.auth, "a deleted user's token")


print(f"python-gitlab {gitlab.__version__}: {len(steps)} steps passed")
