/**
 * The OpenSSL layout table against the real library on this machine: a C program linked with the
 * system libssl reads a session's secrets at the table's offsets (as the kernel does) and prints
 * what OpenSSL's own keylog callback gave; the key lines plaintap makes from the former must be
 * the latter, for TLS 1.2 and for TLS 1.3 with a SHA-256 and a SHA-384 suite.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { TlsSecretEvent } from '../../../agent/capture/captured-event';
import { type KNOWN_LAYOUTS, layoutFor, opensslVersionOf } from '../../../agent/capture/openssl-layouts';
import { OpensslLayoutOffset } from '../../../agent/capture/events-abi.generated';
import { formatKeyLogLine, keyLogLines } from '../../../agent/export/keylog/key-log-lines';
import { makeTempDir } from '../../support/temp-dir';
import { makeCertificate, type Certificate } from '../../support/tls-fixtures';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const LIBSSL = '/usr/lib/x86_64-linux-gnu/libssl.so.3';

interface Probe {
  version: number;
  cipherId: number;
  masterKeyLen: number;
  clientRandom: string;
  masterKey: string;
  handshakeSecret: string;
  handshakeTrafficHash: string;
  clientAppTrafficSecret: string;
  serverAppTrafficSecret: string;
  exporterMasterSecret: string;
  expected: string;
}

const skip = fs.existsSync(LIBSSL) && fs.existsSync('/usr/include/openssl/ssl.h') ? false : 'no system libssl-dev';

describe('OpenSSL layouts against the system library', { skip }, () => {
  let dir: string;
  let probe: string;
  let certificate: Certificate;
  let layout: (typeof KNOWN_LAYOUTS)[number];

  before(() => {
    const found = layoutFor(LIBSSL);
    assert.ok('known' in found, `the system libssl has a known layout: ${JSON.stringify(found)}`);
    layout = found.known;
    dir = makeTempDir('openssl-layout');
    probe = path.join(dir, 'probe');
    execFileSync('cc', [
      '-O1',
      '-o',
      probe,
      path.join(root, 'test', 'fixtures', 'openssl-layout-probe.c'),
      '-lssl',
      '-lcrypto',
    ]);
    certificate = makeCertificate();
  });

  function run(version: '1.2' | '1.3', suite: string): Probe {
    // In struct order: the C probe takes them positionally.
    const fields = (Object.keys(OpensslLayoutOffset) as (keyof typeof OpensslLayoutOffset)[]).sort(
      (a, b) => OpensslLayoutOffset[a] - OpensslLayoutOffset[b],
    );
    const offsets = fields.map((field) => String(layout.layout[field]));
    const output = execFileSync(probe, [certificate.certFile, certificate.keyFile, version, suite, ...offsets], {
      encoding: 'utf8',
    });
    return JSON.parse(output) as Probe;
  }

  function event(p: Probe): TlsSecretEvent {
    const bytes = (text: string): Uint8Array => Buffer.from(text, 'hex');
    return {
      kind: 'tls-secret',
      timestampNs: 0n,
      sslPtr: 0n,
      pid: 1,
      tid: 1,
      uid: 0,
      comm: 'probe',
      fd: -1,
      sockId: 0n,
      ipVersion: 0,
      localAddress: '',
      localPort: 0,
      remoteAddress: '',
      remotePort: 0,
      tlsLibrary: 'openssl',
      version: p.version,
      cipherId: p.cipherId,
      clientRandom: bytes(p.clientRandom),
      masterKey: bytes(p.masterKey).subarray(0, Math.min(p.masterKeyLen, 48)),
      handshakeSecret: bytes(p.handshakeSecret),
      handshakeTrafficHash: bytes(p.handshakeTrafficHash),
      clientAppTrafficSecret: bytes(p.clientAppTrafficSecret),
      serverAppTrafficSecret: bytes(p.serverAppTrafficSecret),
      exporterMasterSecret: bytes(p.exporterMasterSecret),
    };
  }

  const sorted = (text: string): string[] =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .sort();

  for (const [version, suite, lines] of [
    ['1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256', 1],
    ['1.3', 'TLS_AES_128_GCM_SHA256', 5],
    ['1.3', 'TLS_AES_256_GCM_SHA384', 5],
  ] as const) {
    test(`TLS ${version} ${suite}: the key lines read at the table's offsets are OpenSSL's own`, () => {
      const p = run(version, suite);
      const ours = keyLogLines(event(p)).map(formatKeyLogLine).join('');
      assert.equal(sorted(ours).length, lines);
      assert.deepEqual(sorted(ours), sorted(p.expected));
    });
  }

  test('the version comes from libcrypto beside libssl', () => {
    assert.match(opensslVersionOf(LIBSSL) ?? '', /^3\.0\.\d+$/);
  });
});
