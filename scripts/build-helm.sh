#!/usr/bin/env bash
# Build Helm (the chart tests' `helm lint` / `helm template`) from the Go module proxy, pinned,
# into ~/.cache/plaintap/helm. Helm is test tooling, not a runtime dependency of plaintap.
#
#   scripts/build-helm.sh            # prints the binary path on stdout, progress on stderr
#   PLAINTAP_CACHE=/some/dir scripts/build-helm.sh
#
# Idempotent: rebuilt only when the Helm or Go version changed (stamp beside the binary); about
# 3 minutes the first time, instant after. Concurrent runs serialise on a lock file.
set -euo pipefail

HELM_VERSION="v4.3.2"

cache="${PLAINTAP_CACHE:-$HOME/.cache/plaintap}/helm"
binary="$cache/helm"
stamp="$binary.version"

log() { printf 'build-helm: %s\n' "$*" >&2; }

if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then PATH="$PATH:/usr/local/go/bin"; fi
command -v go >/dev/null || { log "go is not installed (Go 1.26 is needed to build Helm)"; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
if command -v flock >/dev/null; then flock 9; fi

want="helm=$HELM_VERSION $(go env GOVERSION)"
if [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log "up to date ($binary)"
  echo "$binary"
  exit 0
fi

start=$(date +%s)
log "installing helm.sh/helm/v4/cmd/helm@$HELM_VERSION (first build downloads modules and compiles; a few minutes)"
GOBIN="$cache/bin" go install -ldflags "-s -w" "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
mv "$cache/bin/helm" "$binary.tmp"
mv "$binary.tmp" "$binary"
echo "$want" >"$stamp"
log "built $("$binary" version --short 2>/dev/null || echo helm) in $(( $(date +%s) - start ))s"
echo "$binary"
