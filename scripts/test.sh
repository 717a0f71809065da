#!/usr/bin/env bash
# Runs every test: installs the Debian tools the end-to-end tests drive when they are missing, then runs
# all test projects and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in docker-registry:docker-registry skopeo:skopeo podman:podman umoci:umoci containerd:containerd chromium:chromium \
  /usr/lib/postgresql:postgresql ceph-mon:ceph-mon ceph-osd:ceph-osd ceph-mgr:ceph-mgr radosgw:radosgw curl:curl nginx:nginx \
  dockerd:docker.io /usr/lib/python3/dist-packages/gitlab:python3-gitlab \
  debootstrap:debootstrap buildah:buildah systemd-analyze:systemd; do
  { command -v "${tool%%:*}" || [ -e "${tool%%:*}" ]; } >/dev/null 2>&1 || need+=("${tool##*:}")
done
if ((${#need[@]})); then
  echo "Installing: ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null \
    || { echo "could not install ${need[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

# Node.js and npm for the OpenID Connect provider of SingleSignOnTests (oidc-provider 8.8.1 wants Node.js 18 or later;
# Debian 12 has 18, this machine's NodeSource 20). Then the provider's packages from the committed lock file, once per
# run, into artifacts/ (ignored by git); the test itself skips the install when the same lock file is already there.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Installing: nodejs npm"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null \
    || { echo "could not install nodejs npm"; echo "0 passed, 1 failed"; exit 1; }
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 18 ]; then
  echo "Node.js $(node --version) is too old for oidc-provider 8.8.1 (18 or later)"; echo "0 passed, 1 failed"; exit 1
fi
oidc=artifacts/oidc-provider
mkdir -p "$oidc" && cp tests/DependencyProxy.EndToEnd/OidcProvider/{package.json,package-lock.json,provider.mjs} "$oidc"/
npm ci --prefix "$oidc" --no-audit --no-fund --loglevel=error >/dev/null \
  || { echo "npm ci (oidc-provider) failed"; echo "0 passed, 1 failed"; exit 1; }
sha256sum < tests/DependencyProxy.EndToEnd/OidcProvider/package-lock.json | cut -c1-64 | tr -d '\n' > "$oidc/installed-lock.sha256"

results=$(mktemp -d)
dotnet build DependencyProxy.slnx -c Release -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }
status=0
# The release artifacts, once: ReleaseTests (end to end) install and run them.
scripts/release.sh || { echo "scripts/release.sh failed"; status=1; echo '<Counters failed="1"' > "$results/release.trx"; }
for project in tests/*/; do
  name=$(basename "$project")
  dotnet test "$project" -c Release --no-build -nologo --logger "trx;LogFileName=$results/$name.trx" "$@" || status=1
done

# The integration suite again on PostgreSQL and S3: a throwaway PostgreSQL and a single-node Ceph with its RADOS
# Gateway, both on loopback; each test server gets its own database and its own bucket.
pg=$(mktemp -d /tmp/dp-postgres-XXXXXX) rgw=$(mktemp -d /tmp/dp-rgw-XXXXXX)
if DP_TEST_POSTGRES=$(scripts/postgres.sh start "$pg") && DP_TEST_S3=$(scripts/ceph-rgw.sh start "$rgw"); then
  export DP_TEST_POSTGRES DP_TEST_S3
  # Classes marked Variant=SqliteOnly (the web page classes) test what does not depend on the database or the store.
  dotnet test tests/DependencyProxy.Tests -c Release --no-build -nologo --filter "Variant!=SqliteOnly" \
    --logger "trx;LogFileName=$results/DependencyProxy.Tests-postgresql-s3.trx" "$@" || status=1
  unset DP_TEST_POSTGRES DP_TEST_S3
else
  echo "could not start PostgreSQL or Ceph RGW"; status=1; echo '<Counters failed="1"' > "$results/postgresql-s3.trx"
fi
scripts/postgres.sh stop "$pg"; scripts/ceph-rgw.sh stop "$rgw"; rm -rf "$pg" "$rgw"

# Sum the counters of every project's TRX file, so the total covers them all.
count() { cat "$results"/*.trx 2>/dev/null | grep -o "<Counters [^>]*" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}'; }
passed=$(count passed)
failed=$(( $(count failed) + $(count error) + $(count timeout) + $(count aborted) ))
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; status=1; fi
rm -rf "$results"
echo "$passed passed, $failed failed"
exit $status
