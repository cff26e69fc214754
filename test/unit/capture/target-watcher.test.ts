/**
 * The shared target watcher with real ELF files (the host's libssl, libc) in a fake /proc:
 * one look per file (device + inode), processes through their root, exec follow-ups, and the
 * OpenSSL finder's decisions (attach with offsets from the symbol tables, skip with a reason).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ElfFile } from '../../../agent/capture/targets/elf-file';
import { OpenSslTargetFinder } from '../../../agent/capture/targets/openssl';
import { TargetWatcher, type TargetPlan } from '../../../agent/capture/targets/target-watcher';
import { makeTempDir } from '../../support/temp-dir';

const MULTIARCH = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
const LIBSSL = `/usr/lib/${MULTIARCH}/libssl.so.3`;
const LIBC = `/usr/lib/${MULTIARCH}/libc.so.6`;

interface Fixture {
  readonly root: string;
  readonly libDir: string;
  readonly proc: string;
  addProcess(pid: number, files: Record<string, string>): void;
}

/** A library dir with a copy of libssl (and a symlink to it), and a /proc whose processes map files under their root. */
function fixture(): Fixture {
  const root = makeTempDir('targets');
  const libDir = path.join(root, 'lib');
  const proc = path.join(root, 'proc');
  fs.mkdirSync(libDir);
  fs.mkdirSync(proc);
  fs.copyFileSync(LIBSSL, path.join(libDir, 'libssl.so.3'));
  fs.symlinkSync('libssl.so.3', path.join(libDir, 'libssl.so'));
  fs.copyFileSync(LIBC, path.join(libDir, 'libcrypto.so.3'));
  return {
    root,
    libDir,
    proc,
    addProcess(pid, files) {
      const dir = path.join(proc, String(pid));
      const lines: string[] = [];
      for (const [mapped, source] of Object.entries(files)) {
        fs.mkdirSync(path.join(dir, 'root', path.dirname(mapped)), { recursive: true });
        fs.copyFileSync(source, path.join(dir, 'root', mapped));
        lines.push(`7f00-7f01 r-xp 00000000 08:01 123 ${mapped}`);
      }
      fs.writeFileSync(path.join(dir, 'maps'), `${lines.join('\n')}\n`);
    },
  };
}

function watcher(f: Fixture, applied: TargetPlan[][] = [], extraPaths: string[] = []): TargetWatcher {
  return new TargetWatcher(
    {
      finders: [new OpenSslTargetFinder({ libraryDirs: [f.libDir], extraPaths })],
      procRoot: f.proc,
      execFollowUpsMs: [0, 5],
    },
    (plans) => applied.push(plans),
  );
}

test('ELF reader: SSL_* functions of libssl at the file offsets readelf gives', () => {
  const elf = ElfFile.open(LIBSSL);
  assert.ok(elf);
  const symbols = elf.findFunctions(['SSL_read', 'SSL_write', 'no_such_function']);
  elf.close();
  assert.deepEqual([...symbols.keys()].sort(), ['SSL_read', 'SSL_write']);
  const read = symbols.get('SSL_read');
  assert.ok(read && read.fileOffset > 0 && read.table === 'dynsym');
  assert.equal(ElfFile.open(__filename), undefined, 'a text file is not ELF');
});

test('finds libssl once per file (a symlink is the same file) with one probe per entry and return', () => {
  const f = fixture();
  const plans = watcher(f).initialScan();
  assert.deepEqual(
    plans.map((p) => [path.relative(f.root, p.path), p.foundIn, p.decision.action]),
    [['lib/libssl.so.3', 'system', 'attach']],
  );
  const decision = plans[0]?.decision;
  assert.ok(decision?.action === 'attach');
  assert.equal(decision.library, 'openssl');
  const points = decision.probes.map((p) => `${p.retprobe ? 'ret:' : ''}${p.symbol}`);
  assert.ok(points.includes('SSL_write') && points.includes('ret:SSL_read') && points.includes('SSL_read_ex'));
});

test('files mapped by processes are reached through their root; a rescan reports only new processes', () => {
  const f = fixture();
  f.addProcess(10, { '/opt/app/bin/server': LIBSSL, '/usr/lib/libc.so.6': LIBC });
  const applied: TargetPlan[][] = [];
  const w = watcher(f, applied);
  const first = w.initialScan();
  // The copy under pid 10's root is another file (another inode): examined and attached too.
  assert.deepEqual(
    first.map((p) => p.foundIn),
    ['system', 'pid:10'],
  );
  assert.equal(first[1]?.path, fs.realpathSync(path.join(f.proc, '10', 'root', 'opt', 'app', 'bin', 'server')));
  w.rescan();
  assert.equal(applied.length, 0, 'nothing new');
  f.addProcess(11, { '/srv/libssl.so.3': LIBSSL });
  w.rescan();
  assert.deepEqual(
    applied.flat().map((p) => p.foundIn),
    ['pid:11'],
  );
});

test('an exec looks at the process at once and again while its loader maps libraries', async () => {
  const f = fixture();
  const applied: TargetPlan[][] = [];
  const w = watcher(f, applied);
  w.initialScan();
  f.addProcess(20, { '/usr/bin/tool': LIBC });
  w.processExec(20);
  assert.equal(applied.length, 0, 'no TLS file mapped yet');
  // The loader maps libssl after exec: the follow-up read finds it.
  f.addProcess(20, { '/usr/bin/tool': LIBC, '/usr/lib/libssl.so.3': LIBSSL });
  await new Promise((resolve) => setTimeout(resolve, 50));
  w.stop();
  assert.deepEqual(
    applied.flat().map((p) => [p.foundIn, p.decision.action]),
    [['pid:20', 'attach']],
  );
  assert.equal(w.stats.execs, 1);
});

test('configured files come first; missing ones are ignored', () => {
  const f = fixture();
  const extra = path.join(f.root, 'static-binary');
  fs.copyFileSync(LIBSSL, extra);
  const plans = watcher(f, [], [extra, path.join(f.root, 'missing')]).initialScan();
  assert.deepEqual(
    plans.map((p) => p.foundIn),
    ['option', 'system'],
  );
});

test('OpenSSL inside an executable: /usr/bin/node is a nodejs target (memory BIOs), offsets from its symbols', () => {
  const elf = ElfFile.open('/usr/bin/node');
  assert.ok(elf, '/usr/bin/node is readable');
  const file = { path: '/usr/bin/node', mappedPath: '/usr/bin/node', foundIn: 'system' };
  const decision = new OpenSslTargetFinder().examine(file, elf);
  elf.close();
  assert.ok(decision?.action === 'attach');
  assert.equal(decision.library, 'nodejs');
  assert.ok(decision.probes.some((p) => p.symbol === 'SSL_write' && p.offset > 0));
});
