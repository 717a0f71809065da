#!/usr/bin/env bash
# Builds what a release ships, into artifacts/release/:
#   dependency-proxy-<version>-linux-<arch>.tar.gz  a self-contained single-file binary, its native SQLite library, the
#                                                   shipped and an example configuration, the systemd unit, notices
#   dependency-proxy-<version>-image.tar            an OCI archive of the container image (linux-x64), built with
#                                                   buildah over a debootstrapped Debian bookworm: no Docker daemon, no
#                                                   base image pulled from a registry
# RELEASE_ARCHES="x64 arm64" (the default) picks the binaries; RELEASE_IMAGE=0 skips the image.
# docs/deployment.md ("Installing one node") says how the artifacts are used.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
project=src/DependencyProxy/DependencyProxy.csproj
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$project")
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
release=$root/artifacts/release
work=$(mktemp -d /tmp/dp-release-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$release"
say() { printf '%s release.sh: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# ReadyToRun per assembly (the runtime pack's own assemblies come compiled already): the SDK's default for a
# self-contained single-file ReadyToRun publish here was one composite image of the whole framework, unfinished after
# 5 minutes on 2 cores; per assembly it takes about a minute.
# A fresh output and intermediate folder for every publish: a second publish into the same folder deletes
# libe_sqlite3.so, and the source tree's obj/ stays the one the test builds use.
publish() { # arch readytorun -> folder
  local out=$work/publish-$1-$2
  dotnet publish "$project" -c Release -r "linux-$1" --self-contained -nologo -v quiet \
    -p:PublishSingleFile=true -p:PublishReadyToRun="$2" -p:PublishReadyToRunComposite=false -p:DebugType=none -p:GenerateDocumentationFile=false \
    -p:IsTransformWebConfigDisabled=true --artifacts-path "$work/build-$1-$2" -o "$out" >&2 || return 1
  echo "$out"
}

package() { # arch
  local arch=$1 started=$SECONDS out
  # ReadyToRun: the first answer after start came in 1.9 s against 3.0 s without (measured here, loaded). For arm64 it needs the cross-compiling crossgen2 package from the
  # NuGet feed; without it the arm64 binary is published without ReadyToRun (it starts slower, and works the same).
  if ! out=$(publish "$arch" true); then
    say "linux-$arch: the ReadyToRun publish failed; publishing without ReadyToRun"
    out=$(publish "$arch" false)
  fi
  # Only the program and the native SQLite library, shipped beside it rather than extracted at run time (a service's
  # home and a container's root file system may be read-only). The static web assets manifest is left out: the pages'
  # assets are embedded resources (Web/Assets). Anything else new means the layout changed: stop.
  local extra
  extra=$(ls "$out" | grep -v -x -e DependencyProxy -e libe_sqlite3.so -e appsettings.json \
    -e DependencyProxy.staticwebassets.endpoints.json || true)
  [ -z "$extra" ] || { echo "unexpected files in the linux-$arch publish: $extra" >&2; exit 1; }
  local name=dependency-proxy-$version-linux-$arch
  local stage=$work/stage/$name
  mkdir -p "$stage"
  cp "$out/DependencyProxy" "$stage/dependency-proxy"
  cp "$out/libe_sqlite3.so" "$out/appsettings.json" "$stage/"
  cp packaging/appsettings.example.json packaging/dependency-proxy.service packaging/dependency-proxy.sysusers \
    packaging/Containerfile "$stage/"
  scripts/third-party-notices.sh "$work/build-$arch-"*/obj/DependencyProxy/project.assets.json > "$stage/THIRD-PARTY-NOTICES.md"
  if [ "$arch" = x64 ] && [ "$(uname -m)" = x86_64 ]; then
    # It must run from anywhere, as systemd starts it from /.
    (cd / && "$stage/dependency-proxy" --version) | grep -q "dependency-proxy $version " \
      || { echo "the linux-$arch binary does not run from /" >&2; exit 1; }
  fi
  tar -C "$work/stage" --owner=0 --group=0 --numeric-owner -czf "$release/$name.tar.gz" "$name"
  say "$name.tar.gz: $(du -m "$release/$name.tar.gz" | cut -f1) MB, $((SECONDS - started)) s"
}

for arch in ${RELEASE_ARCHES:-x64 arm64}; do
  package "$arch"
done
if [ "${RELEASE_IMAGE:-1}" != 0 ]; then
  scripts/release-image.sh "$version" "$revision" "$work/stage/dependency-proxy-$version-linux-x64"
fi
