import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { OpenSslTargetScanner } from '../../../agent/capture/openssl-targets';

/** A fake filesystem: a library dir and a /proc with processes whose maps name libraries under their root. */
function fixture(): { root: string; libDir: string; proc: string; addProcess(pid: number, lib: string): void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'plaintap-targets-'));
  const libDir = path.join(root, 'lib');
  const proc = path.join(root, 'proc');
  fs.mkdirSync(libDir);
  fs.mkdirSync(proc);
  fs.writeFileSync(path.join(libDir, 'libssl.so.3'), 'elf');
  fs.symlinkSync('libssl.so.3', path.join(libDir, 'libssl.so'));
  fs.writeFileSync(path.join(libDir, 'libcrypto.so.3'), 'elf');
  return {
    root,
    libDir,
    proc,
    addProcess(pid: number, lib: string): void {
      const dir = path.join(proc, String(pid));
      fs.mkdirSync(path.join(dir, 'root', path.dirname(lib)), { recursive: true });
      fs.writeFileSync(path.join(dir, 'root', lib), `elf of ${pid}`);
      fs.writeFileSync(
        path.join(dir, 'maps'),
        `7f00-7f01 r-xp 00000000 08:01 123 ${lib}\n7f02-7f03 r--p 00000000 08:01 9 /usr/lib/libc.so.6\n`,
      );
    },
  };
}

test('finds libssl once per file (a symlink is the same file), ignoring other libraries', () => {
  const f = fixture();
  const targets = new OpenSslTargetScanner({ libraryDirs: [f.libDir], procRoot: f.proc }).scan();
  assert.deepEqual(
    targets.map((t) => [path.relative(f.root, t.path), t.foundIn]),
    [['lib/libssl.so.3', 'system']],
  );
});

test('finds libraries mapped by processes, through their root, and a rescan reports only new ones', () => {
  const f = fixture();
  f.addProcess(10, '/opt/app/libssl.so.1.1');
  const scanner = new OpenSslTargetScanner({ libraryDirs: [f.libDir], procRoot: f.proc });
  const first = scanner.scan();
  assert.deepEqual(
    first.map((t) => t.foundIn),
    ['system', 'pid:10'],
  );
  assert.equal(first[1]?.path, path.join(f.proc, '10', 'root', 'opt', 'app', 'libssl.so.1.1'));
  assert.deepEqual(scanner.scan(), [], 'nothing new');
  f.addProcess(11, '/srv/libssl.so.3');
  assert.deepEqual(
    scanner.scan().map((t) => t.foundIn),
    ['pid:11'],
  );
});

test('extra paths given by the user come first', () => {
  const f = fixture();
  const extra = path.join(f.root, 'static-binary');
  fs.writeFileSync(extra, 'elf');
  const targets = new OpenSslTargetScanner({
    libraryDirs: [f.libDir],
    procRoot: f.proc,
    extraPaths: [extra, path.join(f.root, 'missing')],
  }).scan();
  assert.deepEqual(
    targets.map((t) => t.foundIn),
    ['option', 'system'],
  );
});
