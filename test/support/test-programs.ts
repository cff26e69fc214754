/**
 * The small TLS programs of test/fixtures/tls-programs, built by scripts/build-test-programs.sh
 * into ~/.cache/plaintap/test-programs (at once when up to date; `scripts/setup --test` builds them).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'scripts', 'build-test-programs.sh')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
}

let built: string | undefined;

/** The path of a built test program, e.g. `tls-get` (an HTTPS client with OpenSSL linked statically). */
export function testProgram(name: 'tls-get'): string {
  built ??= execFileSync(path.join(repoRoot(), 'scripts', 'build-test-programs.sh'), { encoding: 'utf8' }).trim();
  return path.join(built, name);
}
