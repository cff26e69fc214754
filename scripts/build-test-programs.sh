#!/usr/bin/env bash
# Build the small TLS programs the tests run (test/fixtures/tls-programs/*.c) into the cache:
# tls-get, an HTTPS client linked statically with OpenSSL (libssl.a, libcrypto.a from libssl-dev).
#
#   scripts/build-test-programs.sh      # prints the directory holding the binaries on stdout
#
# Idempotent: rebuilt only when a source or the compiler changed (hash stored beside them).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/../test/fixtures/tls-programs"
out="${PLAINTAP_CACHE:-$HOME/.cache/plaintap}/test-programs"
stamp="$out/.sha256"

mkdir -p "$out"
exec 9>"$out/.lock"
if command -v flock >/dev/null; then flock 9; fi

want="$( { cat "$src"/*.c; cc --version; } | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  cc -O2 -Wall -o "$out/tls-get.tmp" "$src/tls-get.c" -Wl,-Bstatic -lssl -lcrypto -Wl,-Bdynamic -lpthread -ldl
  mv "$out/tls-get.tmp" "$out/tls-get"
  echo "$want" >"$stamp"
fi
echo "$out"
