#!/usr/bin/env bash
# Build the real OpenTelemetry Collector used by plaintap's tests and benchmarks, with the
# official builder (ocb) and scripts/otelcol-manifest.yaml (OTLP receiver, OTLP + debug exporters).
#
#   scripts/build-otelcol.sh            # prints the binary path on stdout, progress on stderr
#   PLAINTAP_CACHE=/some/dir scripts/build-otelcol.sh
#
# Idempotent: the binary is rebuilt only when the manifest, the builder version or the Go version
# changed (their hash is stored beside the binary). Concurrent runs serialise on a lock file.
# Needs Go (1.26) and the Go module proxy; nothing else is downloaded.
set -euo pipefail

BUILDER_VERSION="v0.165.0"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="${OTELCOL_MANIFEST:-$here/otelcol-manifest.yaml}"
cache="${PLAINTAP_CACHE:-$HOME/.cache/plaintap}/otelcol"
binary="$cache/otelcol-plaintap"
stamp="$binary.sha256"

log() { printf 'build-otelcol: %s\n' "$*" >&2; }

command -v go >/dev/null || { log "go is not installed (Go 1.26 is needed to build the Collector)"; exit 1; }
[ -f "$manifest" ] || { log "manifest not found: $manifest"; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
if command -v flock >/dev/null; then flock 9; fi

want="$( { cat "$manifest"; echo "builder=$BUILDER_VERSION"; go env GOVERSION; } | sha256sum | cut -d' ' -f1)"
if [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log "up to date ($binary)"
  echo "$binary"
  exit 0
fi

start=$(date +%s)

# 1. The builder itself, pinned, in the cache (not in ~/go/bin).
builder="$cache/bin/builder-$BUILDER_VERSION"
if [ ! -x "$builder" ]; then
  log "installing go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION"
  GOBIN="$cache/bin" go install "go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION"
  mv "$cache/bin/builder" "$builder"
fi

# 2. Generate the sources into a scratch dir (output_path set here, not in the manifest) and build.
work="$cache/src"
rm -rf "$work"
mkdir -p "$work"
{
  cat "$manifest"
  printf '\n# added by build-otelcol.sh\n'
} | sed "s|^dist:|dist:\n  output_path: $work|" >"$work/manifest.yaml"

log "building the Collector (first build downloads modules and compiles; a few minutes)"
export GOFLAGS="${GOFLAGS:--mod=mod}"
"$builder" --config "$work/manifest.yaml" --ldflags "-s -w" >&2

# 3. Publish atomically, then the stamp.
built="$work/otelcol-plaintap"
[ -x "$built" ] || { log "builder produced no binary at $built"; exit 1; }
mv "$built" "$binary.tmp"
mv "$binary.tmp" "$binary"
echo "$want" >"$stamp"
rm -rf "$work"

log "built $("$binary" --version 2>/dev/null || echo otelcol-plaintap) in $(( $(date +%s) - start ))s"
echo "$binary"
