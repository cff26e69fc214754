import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Direction, type ConnectionFacts } from '../../../../agent/capture/captured-event';
import type { RawMessage } from '../../../../agent/exchange/output-record';
import { ConsoleWriter, formatConsoleRecord } from '../../../../agent/export/text/console-writer';
import { facts } from '../../../support/captured-events';
import { rawMessage } from '../../../support/output-records';

function message(
  payload: string | Uint8Array,
  overrides: Partial<RawMessage> = {},
  connection: Partial<ConnectionFacts> = {},
): RawMessage {
  return rawMessage(payload, {
    connection: facts({ pid: 4242, tid: 4243, comm: 'curl', fd: 5, ...connection }),
    timestampNs: 1_700_000_000_123_456_789n,
    ...overrides,
  });
}

function collector() {
  const chunks: string[] = [];
  return { stream: { write: (text: string) => chunks.push(text) }, chunks };
}

describe('ConsoleWriter', () => {
  it('writes the process line, the text payload and a blank line', () => {
    const { stream, chunks } = collector();
    new ConsoleWriter({ stream }).emit(message('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
    assert.deepEqual(chunks, [
      'PID:4242, Comm:curl, Src:127.0.0.1:50000, Dest:127.0.0.1:443, TID:4243, FD:5, Dir:egress, Len:27\n' +
        'GET / HTTP/1.1\r\nHost: a\r\n\r\n' +
        '\n',
    ]);
  });

  it('puts IPv6 addresses in brackets; Src is the local end, Dest the peer', () => {
    const text = formatConsoleRecord(
      message(
        'x',
        { direction: Direction.Ingress },
        { ipVersion: 6, localAddress: '::1', localPort: 8443, remoteAddress: 'fe80::1', remotePort: 51000 },
      ),
      false,
    );
    assert.ok(text.startsWith('PID:4242, Comm:curl, Src:[::1]:8443, Dest:[fe80::1]:51000, '), text);
    assert.match(text, /Dir:ingress/);
  });

  it('names the container (12 hex) and the pod after Dest when the process has them', () => {
    const id = 'a'.repeat(64);
    const text = formatConsoleRecord(
      message('x', {}, { containerId: id, podUid: '0f3c1e7a-2b4d-4c6e-8f10-123456789abc' }),
      false,
    );
    assert.ok(
      text.startsWith(
        'PID:4242, Comm:curl, Src:127.0.0.1:50000, Dest:127.0.0.1:443, Container:aaaaaaaaaaaa, Pod:0f3c1e7a-2b4d-4c6e-8f10-123456789abc, TID:4243,',
      ),
      text,
    );
  });

  it('prints Src:? and Dest:? when the tuple is unknown', () => {
    const text = formatConsoleRecord(message('x', {}, { ipVersion: 0, localAddress: '', localPort: 0, fd: -1 }), false);
    assert.ok(text.startsWith('PID:4242, Comm:curl, Src:?, Dest:?, TID:4243, FD:-1,'), text);
  });

  it('ends text without a newline with one, then the blank line', () => {
    assert.equal(formatConsoleRecord(message('pong'), false).split('\n').slice(1).join('\n'), 'pong\n\n');
  });

  it('hex-dumps binary payloads, and any payload with the hex option', () => {
    const binary = formatConsoleRecord(message(Uint8Array.of(0x16, 0x03, 0x01, 0x00)), false);
    assert.equal(
      binary.split('\n').slice(1).join('\n'),
      '00000000  16 03 01 00                                       |....|\n\n',
    );
    const forced = formatConsoleRecord(message('hi'), true);
    assert.equal(
      forced.split('\n').slice(1).join('\n'),
      '00000000  68 69                                             |hi|\n\n',
    );
  });

  it('shows the captured size and the truncation mark when bytes are missing', () => {
    const text = formatConsoleRecord(message('abc', { length: 100, truncated: true }), false);
    assert.equal(
      text.split('\n')[0],
      'PID:4242, Comm:curl, Src:127.0.0.1:50000, Dest:127.0.0.1:443, TID:4243, FD:5, Dir:egress, Len:100, Captured:3, Truncated',
    );
  });

  it('prints an empty payload as the header and a blank line', () => {
    assert.equal(formatConsoleRecord(message(''), false).split('\n').length, 3);
    assert.ok(formatConsoleRecord(message(''), false).endsWith('Len:0\n\n'));
  });
});
