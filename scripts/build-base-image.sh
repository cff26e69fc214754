#!/usr/bin/env bash
# Make the Debian base image the plaintap image builds on, without a registry: debootstrap a
# minimal Debian (trixie: its nodejs is Node 20) from Debian's own mirror, then import it into
# the local container storage as localhost/plaintap-debian:trixie.
#
#   scripts/build-base-image.sh     # prints the image name on stdout, progress on stderr
#
# The root filesystem tarball is cached in ~/.cache/plaintap/image (several minutes the first
# time, seconds after); the import is skipped when the image is already in storage.
set -euo pipefail

SUITE="trixie"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
IMAGE="localhost/plaintap-debian:$SUITE"

cache="${PLAINTAP_CACHE:-$HOME/.cache/plaintap}/image"
tarball="$cache/debian-$SUITE-minbase.tar"
log() { printf 'build-base-image: %s\n' "$*" >&2; }

for tool in debootstrap podman; do
  command -v "$tool" >/dev/null || { log "$tool is not installed (apt-get install $tool)"; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { log "debootstrap needs root"; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
if command -v flock >/dev/null; then flock 9; fi

if [ ! -f "$tarball" ]; then
  start=$(date +%s)
  rootfs="$(mktemp -d "$cache/rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs"' EXIT
  log "debootstrap --variant=minbase $SUITE from $MIRROR (a few minutes, once)"
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >&2
  # Slim like the official -slim images: no apt lists, caches, docs or man pages.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
  echo "deb $MIRROR $SUITE main" >"$rootfs/etc/apt/sources.list"
  tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  log "root filesystem cached in $tarball in $(( $(date +%s) - start ))s"
fi

if ! podman image exists "$IMAGE"; then
  podman import --quiet "$tarball" "$IMAGE" >/dev/null
  log "imported $IMAGE"
fi
echo "$IMAGE"
