/**
 * The Go target finder on real binaries built by the test setup (scripts/build-go-fixtures.sh):
 * build info, function addresses from the pclntab (cross-checked with the symbol table where the
 * build keeps one) and Read's return instructions (cross-checked with objdump's disassembly).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { ElfImage } from '../../../../agent/capture/targets/elf-image';
import { parseGoVersion, readGoBuildInfo } from '../../../../agent/capture/targets/go-buildinfo';
import { findGoFunctions } from '../../../../agent/capture/targets/go-pclntab';
import { goOffsetsCookie, goTlsOffsets } from '../../../../agent/capture/targets/go-struct-offsets';
import { GO_TLS_READ, GO_TLS_WRITE, analyzeGoExecutable } from '../../../../agent/capture/targets/go-targets';
import { x86LooksLikeGoEntry, x86ReturnAddresses } from '../../../../agent/capture/targets/x86-64-returns';
import { goProgram, type GoProgram } from '../../../support/go-programs';

const VARIANTS: readonly { name: GoProgram; version: RegExp; symbols: boolean }[] = [
  { name: 'gocli', version: /^go1\.26\./, symbols: true },
  { name: 'gocli-strip', version: /^go1\.26\./, symbols: false },
  { name: 'gocli-pie', version: /^go1\.26\./, symbols: true },
  { name: 'gocli-static', version: /^go1\.26\./, symbols: true },
  { name: 'gocli-ext', version: /^go1\.26\./, symbols: false },
  { name: 'gocli-go117', version: /^go1\.17\.13$/, symbols: true },
];

/** Address of a function in the ELF symbol table (readelf). */
function symbolAddress(file: string, name: string): bigint | undefined {
  const out = execFileSync('readelf', ['-sW', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  for (const line of out.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[7] === name && fields[3] === 'FUNC') return BigInt(`0x${fields[1]}`);
  }
  return undefined;
}

/** RET addresses between start and end, as objdump disassembles them. */
function objdumpReturns(file: string, start: bigint, end: bigint): bigint[] {
  const out = execFileSync(
    'objdump',
    [
      '-d',
      '--no-show-raw-insn',
      `--start-address=0x${start.toString(16)}`,
      `--stop-address=0x${end.toString(16)}`,
      file,
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  return out
    .split('\n')
    .map((line) => /^\s*([0-9a-f]+):\s+ret/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => BigInt(`0x${m[1]}`));
}

describe('Go targets on real binaries', () => {
  for (const variant of VARIANTS) {
    test(`${variant.name}: build info, functions, returns`, () => {
      const file = goProgram(variant.name);
      const elf = ElfImage.open(file);
      try {
        const info = readGoBuildInfo(elf);
        assert.ok(info);
        assert.match(info.goVersion, variant.version);
        assert.equal(info.mainModule, 'plaintap.test/go-fixtures');
        const functions = findGoFunctions(elf, [GO_TLS_WRITE, GO_TLS_READ]);
        const read = functions.get(GO_TLS_READ);
        const write = functions.get(GO_TLS_WRITE);
        assert.ok(read && write);
        if (variant.symbols) {
          assert.equal(read.entry, symbolAddress(file, GO_TLS_READ));
          assert.equal(write.entry, symbolAddress(file, GO_TLS_WRITE));
        }
        const code = elf.readAddress(read.entry, Number(read.end - read.entry));
        assert.ok(code);
        assert.ok(x86LooksLikeGoEntry(code));
        const returns = x86ReturnAddresses(code, read.entry);
        assert.ok(returns.length > 0);
        assert.deepEqual(returns, objdumpReturns(file, read.entry, read.end));
      } finally {
        elf.close();
      }
    });
  }

  test('the stripped build has the same functions at the same addresses as the default build', () => {
    const a = ElfImage.open(goProgram('gocli'));
    const b = ElfImage.open(goProgram('gocli-strip'));
    try {
      assert.deepEqual(findGoFunctions(a, [GO_TLS_READ]), findGoFunctions(b, [GO_TLS_READ]));
    } finally {
      a.close();
      b.close();
    }
  });

  test('analyzeGoExecutable: probes for Go ≥ 1.17, a reason for Go 1.16, nothing for other files', () => {
    const target = analyzeGoExecutable(goProgram('gocli-strip'));
    assert.equal(target?.kind, 'attach');
    if (target?.kind !== 'attach') return;
    assert.deepEqual(
      target.probes.map((p) => p.program),
      ['go_tls_write_entry', 'go_tls_read_entry', ...target.probes.slice(2).map(() => 'go_tls_read_return')],
    );
    assert.ok(target.probes.length >= 3);
    assert.ok(target.probes.every((p) => p.cookie === goOffsetsCookie({ connData: 8, netFd: 0, sysfd: 16 })));

    const old = analyzeGoExecutable(goProgram('gocli-go116'));
    assert.equal(old?.kind, 'skip');
    assert.equal(old?.goVersion, 'go1.16.15');
    assert.match(old?.kind === 'skip' ? old.reason : '', /older than 1\.17/);

    assert.equal(analyzeGoExecutable('/bin/sh'), undefined);
    assert.equal(analyzeGoExecutable('/nonexistent/file'), undefined);
  });

  test('struct offsets: one table from Go 1.17 on, none before; the cookie packs 16 bits each', () => {
    assert.equal(goTlsOffsets({ major: 1, minor: 16 }), undefined);
    assert.deepEqual(goTlsOffsets({ major: 1, minor: 26 }), { connData: 8, netFd: 0, sysfd: 16 });
    assert.equal(goOffsetsCookie({ connData: 8, netFd: 2, sysfd: 16 }), 8n | (2n << 16n) | (16n << 32n));
    assert.deepEqual(parseGoVersion('go1.22.0 X:nocoverageredesign'), { major: 1, minor: 22 });
    assert.equal(parseGoVersion('devel +abc'), undefined);
  });

  test('x86ReturnAddresses decodes from the first byte: a C3 inside an instruction is no return', () => {
    // mov eax, 0xc3c3c3c3 ; ret
    const code = new Uint8Array([0xb8, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3]);
    assert.deepEqual(x86ReturnAddresses(code, 0x1000n), [0x1005n]);
  });
});
