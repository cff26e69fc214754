#!/usr/bin/env bash
# Fetch PyPI's grpcio wheel (it bundles BoringSSL with its symbols hidden) for Debian's python3
# into the cache, unpacked as an importable site directory: the hidden-bundle test runs a grpcio
# process from it. Debian's own python3-grpcio links the system OpenSSL instead, so it cannot serve.
#
#   scripts/fetch-grpcio-wheel.sh      # prints the site directory on stdout, progress on stderr
#
# Idempotent: fetched once per version (a .done marker); concurrent runs serialise on a lock file.
set -euo pipefail

GRPCIO_VERSION="1.85.1"
PYTHON=/usr/bin/python3

cache="${PLAINTAP_CACHE:-$HOME/.cache/plaintap}/grpcio-wheel"
site="$cache/site-$GRPCIO_VERSION"

log() { printf 'fetch-grpcio-wheel: %s\n' "$*" >&2; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
if command -v flock >/dev/null; then flock 9; fi

if [[ -f "$site/.done" ]]; then
  log "up to date ($site)"
  echo "$site"
  exit 0
fi

"$PYTHON" -m pip --version >/dev/null 2>&1 || { log "pip is missing for $PYTHON (Debian: python3-pip)"; exit 1; }
wheels="$cache/wheels-$GRPCIO_VERSION"
rm -rf "$wheels" "$site"
log "downloading grpcio==$GRPCIO_VERSION and its dependencies (binary wheels for $("$PYTHON" --version))"
# `pip download` leaves Debian's externally managed site-packages alone; the wheels are unpacked below.
"$PYTHON" -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
  -d "$wheels" "grpcio==$GRPCIO_VERSION"
mkdir -p "$site.tmp"
for wheel in "$wheels"/*.whl; do
  "$PYTHON" -m zipfile -e "$wheel" "$site.tmp"
done
touch "$site.tmp/.done"
mv "$site.tmp" "$site"
rm -rf "$wheels"
log "unpacked into $site"
echo "$site"
