#!/usr/bin/env bash
# The container image, for scripts/release.sh: release-image.sh VERSION REVISION STAGED-LINUX-X64-FOLDER.
# A Debian bookworm root file system from debootstrap (cached under artifacts/cache/, keyed by its recipe, since it
# takes minutes), the release binary in /opt/dependency-proxy, a non-root user, assembled with buildah in storage of
# its own and written as artifacts/release/dependency-proxy-VERSION-image.tar (an OCI archive, `podman load` reads it).
# packaging/Containerfile builds the same layout on the .NET runtime-deps image elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$1 revision=$2 app=$3
uid=10001
# minbase lacks libssl3 (the program stops at start without it) and the CA bundle (upstream HTTPS). No libicu: the
# program runs with invariant globalization (Directory.Build.props).
packages=ca-certificates,libssl3
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
say() { printf '%s release-image.sh: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

recipe="bookworm minbase $packages uid=$uid v2"
cache=artifacts/cache/rootfs-$(printf '%s' "$recipe" | sha256sum | cut -c1-16).tar
if [ ! -f "$cache" ]; then
  say "debootstrap ($recipe) into $cache"
  mkdir -p artifacts/cache
  rootfs=$(mktemp -d /tmp/dp-rootfs-XXXXXX)
  debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" > "$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2; exit 1; }
  # What a running image never uses: package lists and caches, documentation, manual pages, translations.
  rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/usr/share/{doc,man,info,locale}/* \
    "$rootfs"/dev/*
  # No set-user-id programs (su, passwd, mount…): nothing in the image should be a way to root.
  find "$rootfs" -xdev -type f -perm /6000 -exec chmod ug-s {} +
  echo "dependency-proxy:x:$uid:$uid:DependencyProxy:/var/lib/dependency-proxy:/usr/sbin/nologin" >> "$rootfs/etc/passwd"
  echo "dependency-proxy:x:$uid:" >> "$rootfs/etc/group"
  tar -C "$rootfs" --numeric-owner -cf "$cache.part" . && mv "$cache.part" "$cache"
  rm -rf "$rootfs" "$rootfs.log"
  # Root file systems of older recipes are not used again.
  find artifacts/cache -maxdepth 1 -name 'rootfs-*.tar' ! -name "${cache##*/}" -delete
fi

# buildah's own storage in a scratch folder: nothing of the machine's containers is touched or needed.
scratch=$(mktemp -d /tmp/dp-buildah-XXXXXX)
trap 'buildah "${storage[@]}" rm --all >/dev/null 2>&1; rm -rf "$scratch"' EXIT
storage=(--root "$scratch/root" --runroot "$scratch/run" --storage-driver vfs)
layer=$scratch/app
mkdir -p "$layer/opt/dependency-proxy" "$layer/var/lib/dependency-proxy"
cp "$app/dependency-proxy" "$app/libe_sqlite3.so" "$app/appsettings.json" "$layer/opt/dependency-proxy/"
chmod 0755 "$layer/opt/dependency-proxy/dependency-proxy"
chown "$uid:$uid" "$layer/var/lib/dependency-proxy"
chmod 0750 "$layer/var/lib/dependency-proxy"

container=$(buildah "${storage[@]}" from scratch)
buildah "${storage[@]}" add "$container" "$cache" / > /dev/null
# As an archive: buildah add keeps the owners an archive records (copy would make everything root's, the volume too).
tar -C "$layer" --numeric-owner -cf "$scratch/app.tar" .
buildah "${storage[@]}" add "$container" "$scratch/app.tar" / > /dev/null
buildah "${storage[@]}" config \
  --user "$uid:$uid" --workingdir / \
  --env ASPNETCORE_HTTP_PORTS=5000 --env DependencyProxy__DataDirectory=/var/lib/dependency-proxy \
  --port 5000/tcp --volume /var/lib/dependency-proxy --stop-signal SIGTERM \
  --entrypoint '["/opt/dependency-proxy/dependency-proxy"]' --cmd '' \
  --created-by "scripts/release.sh" \
  --label org.opencontainers.image.title=dependency-proxy \
  --label org.opencontainers.image.description="A pull-through cache for container images" \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.revision="$revision" \
  "$container"
buildah "${storage[@]}" commit --quiet --format oci --rm "$container" "localhost/dependency-proxy:$version" > /dev/null
archive=artifacts/release/dependency-proxy-$version-image.tar
rm -f "$archive"
buildah "${storage[@]}" push --quiet "localhost/dependency-proxy:$version" "oci-archive:$archive:dependency-proxy:$version"

# Compressed size: what a registry stores and a client downloads (the archive's gzip layers and its config).
compressed=$(tar -xOf "$archive" index.json | grep -o '"digest":"sha256:[0-9a-f]*"' | head -1 | cut -d: -f3 | tr -d '"' \
  | xargs -I{} tar -xOf "$archive" blobs/sha256/{} | grep -o '"size":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s }')
say "$archive: $((compressed / 1024 / 1024)) MB compressed ($compressed bytes)"
[ "$compressed" -lt $((120 * 1024 * 1024)) ] || { echo "the image is over 120 MB compressed" >&2; exit 1; }
