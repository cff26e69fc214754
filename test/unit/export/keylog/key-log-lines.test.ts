/** Key lines from a secret record: TLS 1.2, unusable records, each session's lines once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TlsSecretEvent } from '../../../../agent/capture/captured-event';
import { KeyLogBook } from '../../../../agent/export/keylog/key-log-book';
import { hkdfExpandLabel, keyLogLines } from '../../../../agent/export/keylog/key-log-lines';

function secretEvent(overrides: Partial<TlsSecretEvent>): TlsSecretEvent {
  const zero = (n: number): Uint8Array => new Uint8Array(n);
  return {
    kind: 'tls-secret',
    timestampNs: 0n,
    sslPtr: 1n,
    pid: 1,
    tid: 1,
    uid: 0,
    comm: 'curl',
    fd: 3,
    sockId: 1n,
    ipVersion: 4,
    localAddress: '127.0.0.1',
    localPort: 1,
    remoteAddress: '127.0.0.1',
    remotePort: 2,
    tlsLibrary: 'openssl',
    version: 0x0303,
    cipherId: 0x0300c02f,
    clientRandom: new Uint8Array(32).fill(0xab),
    masterKey: new Uint8Array(48).fill(0x11),
    handshakeSecret: zero(64),
    handshakeTrafficHash: zero(64),
    clientAppTrafficSecret: zero(64),
    serverAppTrafficSecret: zero(64),
    exporterMasterSecret: zero(64),
    ...overrides,
  };
}

test('TLS 1.2: one CLIENT_RANDOM line', () => {
  assert.deepEqual(keyLogLines(secretEvent({})), [
    { label: 'CLIENT_RANDOM', clientRandom: 'ab'.repeat(32), secret: '11'.repeat(48) },
  ]);
});

test('TLS 1.3: the suite decides the hash length; an unknown suite gives nothing', () => {
  const tls13 = {
    version: 0x0304,
    handshakeSecret: new Uint8Array(64).fill(1),
    handshakeTrafficHash: new Uint8Array(64).fill(2),
    clientAppTrafficSecret: new Uint8Array(64).fill(3),
    serverAppTrafficSecret: new Uint8Array(64).fill(4),
    exporterMasterSecret: new Uint8Array(64).fill(5),
  };
  const sha384 = keyLogLines(secretEvent({ ...tls13, cipherId: 0x03001302 }));
  assert.deepEqual(
    sha384.map((line) => [line.label, line.secret.length / 2]),
    [
      ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 48],
      ['SERVER_HANDSHAKE_TRAFFIC_SECRET', 48],
      ['CLIENT_TRAFFIC_SECRET_0', 48],
      ['SERVER_TRAFFIC_SECRET_0', 48],
      ['EXPORTER_SECRET', 48],
    ],
  );
  assert.equal(
    sha384[0]?.secret,
    hkdfExpandLabel('sha384', new Uint8Array(48).fill(1), 'c hs traffic', new Uint8Array(48).fill(2), 48).toString(
      'hex',
    ),
  );
  assert.equal(keyLogLines(secretEvent({ ...tls13, cipherId: 0x03001301 }))[2]?.secret, '03'.repeat(32));
  assert.deepEqual(keyLogLines(secretEvent({ ...tls13, cipherId: 0x03009999 })), []);
});

test('secrets never set (zeros) make no line', () => {
  assert.deepEqual(keyLogLines(secretEvent({ masterKey: new Uint8Array(48) })), []);
  assert.deepEqual(keyLogLines(secretEvent({ clientRandom: new Uint8Array(32) })), []);
});

test("the book gives each session's lines once and counts unusable records", () => {
  const book = new KeyLogBook();
  const first = book.newLines(secretEvent({}));
  assert.equal(first, `CLIENT_RANDOM ${'ab'.repeat(32)} ${'11'.repeat(48)}\n`);
  assert.equal(book.newLines(secretEvent({})), '');
  assert.equal(book.newLines(secretEvent({ masterKey: new Uint8Array(48) })), '');
  assert.deepEqual(book.stats, { sessions: 3, lines: 1, unusable: 1 });
});
