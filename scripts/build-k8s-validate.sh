#!/usr/bin/env bash
# Build test/tools/k8s-validate (strict decode of manifests into the Kubernetes API's Go types)
# into ~/.cache/plaintap/k8s-validate. Rebuilt only when its sources, go.mod/go.sum or the Go
# version changed. Prints the binary path on stdout. Needs Go and the Go module proxy.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/../test/tools/k8s-validate"
cache="${PLAINTAP_CACHE:-$HOME/.cache/plaintap}/k8s-validate"
binary="$cache/k8s-validate"
stamp="$binary.sha256"

log() { printf 'build-k8s-validate: %s\n' "$*" >&2; }

if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then PATH="$PATH:/usr/local/go/bin"; fi
command -v go >/dev/null || { log "go is not installed"; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
if command -v flock >/dev/null; then flock 9; fi

want="$( { cat "$src"/*.go "$src/go.mod" "$src/go.sum"; go env GOVERSION; } | sha256sum | cut -d' ' -f1)"
if [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log "up to date ($binary)"
  echo "$binary"
  exit 0
fi
start=$(date +%s)
log "building (first build downloads k8s.io/api and compiles; a minute or two)"
(cd "$src" && go build -ldflags "-s -w" -o "$binary.tmp" .)
mv "$binary.tmp" "$binary"
echo "$want" >"$stamp"
log "built in $(( $(date +%s) - start ))s"
echo "$binary"
