import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Direction, type ConnectionFacts } from '../../../../agent/capture/captured-event';
import type { RawMessage } from '../../../../agent/exchange/output-record';
import { JsonLinesWriter, toJsonRecord, type JsonRawRecord } from '../../../../agent/export/text/json-lines-writer';
import { formatRfc3339Nanos } from '../../../../agent/export/text/rfc3339';
import { SOCK_A, facts } from '../../../support/captured-events';
import { rawMessage } from '../../../support/output-records';

function message(
  payload: string | Uint8Array,
  overrides: Partial<RawMessage> = {},
  connection: Partial<ConnectionFacts> = {},
): RawMessage {
  return rawMessage(payload, {
    connection: facts({ pid: 4242, tid: 4243, uid: 1000, comm: 'curl', fd: 5, ...connection }),
    direction: Direction.Ingress,
    timestampNs: 1_700_000_000_123_456_789n,
    ...overrides,
  });
}

function writeOne(record: RawMessage, hex = false): Record<string, unknown> {
  const lines: string[] = [];
  new JsonLinesWriter({ stream: { write: (text: string) => lines.push(text) }, hex }).emit(record);
  assert.equal(lines.length, 1);
  assert.ok(lines[0]?.endsWith('\n'));
  assert.equal(lines[0]?.indexOf('\n'), (lines[0]?.length ?? 0) - 1, 'one line per record');
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

describe('JsonLinesWriter', () => {
  it('writes one object per record with the documented snake_case fields', () => {
    const object = writeOne(message('HTTP/1.1 200 OK\r\n\r\n'));
    assert.deepEqual(object, {
      time: '2023-11-14T22:13:20.123456789Z',
      kind: 'raw',
      pid: 4242,
      tid: 4243,
      comm: 'curl',
      uid: 1000,
      fd: 5,
      sock_id: `0x${SOCK_A.toString(16)}`,
      src_addr: '127.0.0.1',
      src_port: 50000,
      dst_addr: '127.0.0.1',
      dst_port: 443,
      direction: 'ingress',
      length: 19,
      captured_length: 19,
      truncated: false,
      tls_library: 'openssl',
      container_id: null,
      pod_uid: null,
      payload: 'HTTP/1.1 200 OK\r\n\r\n',
    });
    assert.deepEqual(Object.keys(object).slice(0, 7), ['time', 'kind', 'pid', 'tid', 'comm', 'uid', 'fd']);
  });

  it('encodes binary payloads as base64 and, with hex, every payload as hex', () => {
    const binary = writeOne(message(Uint8Array.of(0x16, 0x03, 0x01, 0xff)));
    assert.equal(binary.payload_base64, 'FgMB/w==');
    assert.equal('payload' in binary, false);
    const hex = writeOne(message('hi'), true);
    assert.equal(hex.payload_hex, '6869');
    assert.equal('payload' in hex || 'payload_base64' in hex, false);
  });

  it('uses null for an unknown tuple and socket, and reports truncation', () => {
    const object = writeOne(
      message(
        'abc',
        { length: 90, truncated: true, direction: Direction.Egress },
        { ipVersion: 0, localAddress: '', localPort: 0, remoteAddress: '', remotePort: 0, sockId: 0n, fd: -1 },
      ),
    );
    assert.equal(object.src_addr, null);
    assert.equal(object.src_port, null);
    assert.equal(object.dst_addr, null);
    assert.equal(object.dst_port, null);
    assert.equal(object.sock_id, null);
    assert.equal(object.fd, -1);
    assert.equal(object.direction, 'egress');
    assert.equal(object.length, 90);
    assert.equal(object.captured_length, 3);
    assert.equal(object.truncated, true);
  });

  it('maps Src to the local end and Dest to the peer, IPv6 without brackets', () => {
    const record = toJsonRecord(
      message(
        'x',
        {},
        { ipVersion: 6, localAddress: '::1', localPort: 8443, remoteAddress: '2001:db8::2', remotePort: 443 },
      ),
      false,
    ) as JsonRawRecord;
    assert.equal(record.src_addr, '::1');
    assert.equal(record.src_port, 8443);
    assert.equal(record.dst_addr, '2001:db8::2');
    assert.equal(record.dst_port, 443);
  });
});

describe('formatRfc3339Nanos', () => {
  it('keeps all nine fraction digits', () => {
    assert.equal(formatRfc3339Nanos(0n), '1970-01-01T00:00:00.000000000Z');
    assert.equal(formatRfc3339Nanos(1_700_000_000_000_000_007n), '2023-11-14T22:13:20.000000007Z');
    assert.equal(formatRfc3339Nanos(-1n), '1969-12-31T23:59:59.999999999Z');
  });
});
