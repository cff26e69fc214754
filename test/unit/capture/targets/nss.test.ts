/**
 * The NSS finder on the host's real files: libnspr4 gets the NSPR I/O probes, libssl3 the
 * SSL_ImportFD return and the role that tells the kernel its code is NSS's SSL layer; other
 * files are not NSS's, and a file named like NSS's without its functions is skipped with why.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ElfFile } from '../../../../agent/capture/targets/elf-file';
import { NssTargetFinder } from '../../../../agent/capture/targets/nss';
import type { TargetDecision } from '../../../../agent/capture/targets/target-finder';
import { makeTempDir } from '../../../support/temp-dir';

const MULTIARCH = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
const LIBNSPR = `/usr/lib/${MULTIARCH}/libnspr4.so`;
const LIBSSL3 = `/usr/lib/${MULTIARCH}/libssl3.so`;
const LIBC = `/usr/lib/${MULTIARCH}/libc.so.6`;
const skip = fs.existsSync(LIBNSPR) && fs.existsSync(LIBSSL3) ? false : 'libnspr4/libssl3 not installed (libnss3)';

function examine(file: string, mappedPath = file): TargetDecision | undefined {
  const elf = ElfFile.open(file);
  assert.ok(elf, `${file} is readable`);
  try {
    return new NssTargetFinder().examine({ path: file, mappedPath, foundIn: 'system' }, elf);
  } finally {
    elf.close();
  }
}

test('libnspr4: entry and return probes on the NSPR I/O calls, PR_Accept return, PR_Close', { skip }, () => {
  const decision = examine(LIBNSPR);
  assert.ok(decision?.action === 'attach');
  assert.equal(decision.library, 'nss');
  assert.equal(decision.role, undefined);
  const points = decision.probes.map((p) => `${p.retprobe ? 'uretprobe' : 'uprobe'}:${p.symbol}:${p.program}`);
  for (const expected of [
    'uprobe:PR_Write:nss_write_entry',
    'uretprobe:PR_Write:nss_write_return',
    'uprobe:PR_Send:nss_write_entry',
    'uprobe:PR_Writev:nss_writev_entry',
    'uretprobe:PR_Writev:nss_writev_return',
    'uprobe:PR_Read:nss_read_entry',
    'uretprobe:PR_Recv:nss_read_return',
    'uretprobe:PR_Accept:nss_accept_return',
    'uprobe:PR_Close:nss_close_entry',
  ]) {
    assert.ok(points.includes(expected), `${expected} in ${points.join(', ')}`);
  }
  assert.ok(decision.probes.every((p) => p.offset > 0));
});

test('libssl3: SSL_ImportFD return and SSL_ForceHandshake, with the nss-ssl-layer role', { skip }, () => {
  const decision = examine(LIBSSL3);
  assert.ok(decision?.action === 'attach');
  assert.equal(decision.role, 'nss-ssl-layer');
  assert.deepEqual(
    decision.probes.map((p) => [p.symbol, p.program, p.retprobe]),
    [
      ['SSL_ImportFD', 'nss_import_fd_return', true],
      ['SSL_ForceHandshake', 'nss_force_handshake_entry', false],
    ],
  );
});

test('not NSS: libc; named like libssl3 without its functions: skipped with the reason', { skip }, () => {
  assert.equal(examine(LIBC), undefined);
  const dir = makeTempDir('nss-finder');
  const impostor = path.join(dir, 'libssl3.so');
  fs.copyFileSync(LIBC, impostor);
  const decision = examine(impostor);
  assert.ok(decision?.action === 'skip');
  assert.equal(decision.library, 'nss');
  assert.match(decision.reason, /neither PR_Write\/PR_Read\/PR_Close nor SSL_ImportFD/);
});
