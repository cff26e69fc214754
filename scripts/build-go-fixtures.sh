#!/usr/bin/env bash
# Build the Go TLS programs plaintap's Go capture tests run (test/fixtures/go), with this machine's
# Go, in the variants the tests need:
#   gocli         net/http client, default build (cgo on: dynamically linked)
#   gocli-strip   -ldflags="-s -w" (no symbol table, no DWARF)
#   gocli-pie     -buildmode=pie -trimpath
#   gocli-static  CGO_ENABLED=0 (static)
#   gocli-ext     -ldflags="-linkmode=external -s -w": the C linker puts its code first in .text
#                 (as in Debian's Go packages); unit tests only
#   gocli-go117   built by the oldest Go plaintap claims (1.17.13, fetched as golang.org/toolchain
#                 from the module proxy by GOTOOLCHAIN)
#   gocli-go116   built by Go 1.16.15, which plaintap skips (no register ABI): the skip is tested
#   gosrv         net/http TLS server, default build
#   gogrpc-server gRPC server over TLS (test/fixtures/go-grpc, google.golang.org/grpc from the Go
#   gogrpc-client module proxy) and its client; their modules are cached under the plaintap cache
#
#   scripts/build-go-fixtures.sh        # prints the output directory on stdout, progress on stderr
#
# Idempotent: rebuilt only when the sources, this script or the Go version changed (their hash
# names the directory). Concurrent runs serialise on a lock file.
set -euo pipefail

OLDEST_GO="go1.17.13"
SKIPPED_GO="go1.16.15"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/../test/fixtures/go"
grpc_src="$here/../test/fixtures/go-grpc"
root="${PLAINTAP_CACHE:-$HOME/.cache/plaintap}/go-fixtures"

log() { printf 'build-go-fixtures: %s\n' "$*" >&2; }

if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then PATH="$PATH:/usr/local/go/bin"; fi
command -v go >/dev/null || { log "go is not installed (Go 1.26 builds the test programs)"; exit 1; }

mkdir -p "$root"
exec 9>"$root/.lock"
if command -v flock >/dev/null; then flock 9; fi

sources() { (cd "$1" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 | sort -z | xargs -0 sha256sum); }
hash="$( { sources "$src"; sources "$grpc_src"; cat "$here/build-go-fixtures.sh"; go env GOVERSION; } | sha256sum | cut -c1-16)"
out="$root/$hash"
if [[ -f "$out/.complete" ]]; then
  log "up to date ($out)"
  echo "$out"
  exit 0
fi

start=$(date +%s)
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
cd "$src"
# -mod=mod replaces a GOFLAGS the machine may set that old toolchains reject (-buildvcs).
export GOFLAGS=-mod=mod
go build -o "$out.tmp/gocli" ./https-client
go build -ldflags="-s -w" -o "$out.tmp/gocli-strip" ./https-client
go build -buildmode=pie -trimpath -o "$out.tmp/gocli-pie" ./https-client
CGO_ENABLED=0 go build -o "$out.tmp/gocli-static" ./https-client
go build -ldflags="-linkmode=external -s -w" -o "$out.tmp/gocli-ext" ./https-client
go build -o "$out.tmp/gosrv" ./https-server
log "building with $OLDEST_GO and $SKIPPED_GO (downloaded once from the module proxy)"
GOTOOLCHAIN="$OLDEST_GO" go build -o "$out.tmp/gocli-go117" ./https-client
GOTOOLCHAIN="$SKIPPED_GO" go build -o "$out.tmp/gocli-go116" ./https-client
# gRPC needs a recent Go and modules from the proxy: kept in the plaintap cache (downloaded once).
(cd "$grpc_src" && export GOMODCACHE="${PLAINTAP_CACHE:-$HOME/.cache/plaintap}/go-mod" &&
  go build -o "$out.tmp/gogrpc-server" ./grpc-server &&
  go build -o "$out.tmp/gogrpc-client" ./grpc-client)
touch "$out.tmp/.complete"
rm -rf "$out"
mv "$out.tmp" "$out"
log "built in $(( $(date +%s) - start ))s ($out)"
echo "$out"
