#!/bin/bash
# Makes this upgrade fixture: a small data directory written by the build in this checkout (see README.md).
# Usage: tests/DependencyProxy.EndToEnd/Fixtures/data-0.x/make.sh   (after a Release build; needs docker-registry, umoci,
# skopeo, curl, python3). Replaces ./data. Run it only to make the fixture of a release, never to refresh this one: the
# point of the fixture is that it was written by an older build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
dll=$repo/src/DependencyProxy/bin/Release/net10.0/DependencyProxy.dll
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# The upstream: Distribution without auth, holding one tiny image built by umoci with pinned times (reproducible digests).
upstream=$(free_port)
cat > "$work/registry.yml" <<YML
version: 0.1
storage: { filesystem: { rootdirectory: $work/registry } }
http: { addr: 127.0.0.1:$upstream }
YML
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
printf 'hello from the 0.x fixture\n' > "$work/hello.txt"
touch -d 2024-01-01T00:00:00Z "$work/hello.txt"
umoci init --layout "$work/layout"
umoci new --image "$work/layout:tiny"
umoci insert --image "$work/layout:tiny" --history.created 2024-01-01T00:00:00Z "$work/hello.txt" /hello.txt
umoci config --image "$work/layout:tiny" --architecture amd64 --os linux --created 2024-01-01T00:00:00Z --history.created 2024-01-01T00:00:00Z
sleep 1
skopeo copy -q --dest-tls-verify=false "oci:$work/layout:tiny" "docker://127.0.0.1:$upstream/library/tiny:latest"

# The proxy, as an operator starts it; root's token is known.
proxy=$(free_port)
root=dpat-fixture-root-token-0123456789
data=$work/data
dotnet "$dll" --urls "http://127.0.0.1:$proxy" --DependencyProxy:DataDirectory="$data" --DependencyProxy:DockerHub:Url="http://127.0.0.1:$upstream" \
  --DependencyProxy:InitialRootToken=$root > "$work/proxy.log" 2>&1 &
pid=$!
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$proxy/-/readiness" > /dev/null && break; sleep 0.5; done
api() { curl -fsS -H "PRIVATE-TOKEN: $root" "$@"; }
base=http://127.0.0.1:$proxy/api/v4
api -X POST "$base/groups" -d name=Fixture -d path=fixture -d visibility=private > /dev/null
api -X POST "$base/users" -d username=alice -d email=alice@example.com -d name=Alice -d 'password=alice password 0.x' > /dev/null
api -X POST "$base/groups/fixture/members" -d user_id=2 -d access_level=30 > /dev/null
# A Docker Hub account on the group: its secret is encrypted with the data-protection key ring, which must survive.
api -X PUT "$base/groups/fixture/dependency_proxy/settings" -d identity=fixture-hub-user -d secret=fixture-hub-secret > /dev/null
token=$(api -X POST "$base/users/2/personal_access_tokens" -d name=fixture -d 'scopes[]=read_registry' -d 'scopes[]=read_api' |
  python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
skopeo copy -q --src-tls-verify=false --src-creds "alice:$token" \
  "docker://127.0.0.1:$proxy/fixture/dependency_proxy/containers/tiny:latest" "dir:$work/pulled"
kill -TERM $pid; wait $pid || true

# One self-contained database file, no spool.
/usr/bin/python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.execute('PRAGMA journal_mode=DELETE'); c.close()" "$data/dependency-proxy.db"
rm -rf "$data/content/tmp" "$data"/dependency-proxy.db-*
rm -rf "$here/data"
cp -a "$data" "$here/data"
echo "alice's token: $token"
echo "manifest: $(sha256sum "$work/pulled/manifest.json" | cut -d' ' -f1)"
echo "commit: $(git -C "$repo" rev-parse HEAD)"
