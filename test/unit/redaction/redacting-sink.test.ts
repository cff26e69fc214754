import { facts } from '../../support/captured-events';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpBody, HttpExchange } from '../../../agent/exchange/http-exchange';
import type { OutputRecord, RawMessage } from '../../../agent/exchange/output-record';
import type { WebSocketMessage } from '../../../agent/exchange/websocket-message';
import { FanOutSink } from '../../../agent/export/fan-out-sink';
import { redactRecord } from '../../../agent/redaction/redact-record';
import { RedactingSink } from '../../../agent/redaction/redacting-sink';
import { createRedactor, REDACTED } from '../../../agent/redaction/redactor';
import { rawMessage, httpBody } from '../../support/output-records';

const connection = facts({ pid: 7, tid: 7, uid: 0, sockId: 1n });
const body: HttpBody = httpBody();

function exchange(): HttpExchange {
  return {
    kind: 'http1.exchange',
    connection,
    side: 'client',
    request: {
      method: 'GET',
      target: '/a?sig=s&x=1',
      version: '1.1',
      headers: [
        ['Host', 'h'],
        ['Authorization', 'Bearer t'],
        ['X-Trace', 'keep'],
      ],
      trailers: [['Cookie', 'in-trailer']],
      headerBytes: 10,
      body,
      startNs: 1n,
      endNs: 2n,
      tid: 7,
      complete: true,
    },
    response: {
      statusCode: 200,
      reason: 'OK',
      version: '1.1',
      interim: [
        { statusCode: 103, reason: 'Early Hints', headers: [['Set-Cookie', 'early']], headerBytes: 5, timestampNs: 3n },
      ],
      headers: [
        ['Set-Cookie', 'sid=1'],
        ['Content-Type', 'text/plain'],
      ],
      trailers: [],
      headerBytes: 10,
      body,
      startNs: 3n,
      endNs: 4n,
      tid: 7,
      complete: true,
    },
    complete: true,
    late: false,
    timestampNs: 1n,
    endNs: 4n,
    durationNs: 3n,
  };
}

describe('redactRecord', () => {
  const redactor = createRedactor();

  it('an HTTP exchange: request and response headers, interim headers, trailers and the query', () => {
    const original = exchange();
    const out = redactRecord(original, redactor) as HttpExchange;
    assert.equal(out.request?.target, `/a?sig=${REDACTED}&x=1`);
    assert.deepEqual(out.request?.headers, [
      ['Host', 'h'],
      ['Authorization', REDACTED],
      ['X-Trace', 'keep'],
    ]);
    assert.deepEqual(out.request?.trailers, [['Cookie', REDACTED]]);
    assert.deepEqual(out.response?.headers, [
      ['Set-Cookie', REDACTED],
      ['Content-Type', 'text/plain'],
    ]);
    assert.deepEqual(out.response?.interim[0]?.headers, [['Set-Cookie', REDACTED]]);
    assert.equal(original.request?.headers[1]?.[1], 'Bearer t', 'the original record is not modified');
  });

  it('returns the same record when there is nothing to redact', () => {
    const clean = exchange();
    const plain: HttpExchange = {
      ...clean,
      request: { ...clean.request!, target: '/a', headers: [['Host', 'h']], trailers: [] },
      response: { ...clean.response!, headers: [], interim: [] },
    };
    assert.equal(redactRecord(plain, redactor), plain);
  });

  it('a WebSocket message: the query of its upgrade target', () => {
    const message = {
      kind: 'websocket.message',
      connection,
      target: '/chat?Signature=abc',
    } as unknown as WebSocketMessage;
    assert.equal((redactRecord(message, redactor) as WebSocketMessage).target, `/chat?Signature=${REDACTED}`);
  });

  it('a raw message: header-looking lines of its payload; length still counts what was seen', () => {
    const payload = new TextEncoder().encode('GET / HTTP/1.1\r\nCookie: a=b\r\n\r\n');
    const raw = rawMessage(payload, { connection });
    const out = redactRecord(raw, redactor) as RawMessage;
    assert.equal(Buffer.from(out.payload).toString(), 'GET / HTTP/1.1\r\nCookie: REDACTED\r\n\r\n');
    assert.equal(out.length, payload.length);
  });
});

describe('RedactingSink and FanOutSink', () => {
  it('every output behind the sink sees the redacted record, once redacted', () => {
    const seen: OutputRecord[][] = [[], []];
    const raw = rawMessage('Authorization: Basic x\r\n', { connection });
    const sink = new RedactingSink(
      createRedactor(),
      new FanOutSink([{ emit: (r) => seen[0]?.push(r) }, { emit: (r) => seen[1]?.push(r) }]),
    );
    sink.emit(raw);
    assert.equal(seen[0]?.[0], seen[1]?.[0], 'one redacted copy shared by all outputs');
    assert.equal(Buffer.from((seen[0]?.[0] as RawMessage).payload).toString(), 'Authorization: REDACTED\r\n');
  });

  it('a sink that throws does not keep the record from the others; the error still surfaces', () => {
    const seen: OutputRecord[] = [];
    const fanOut = new FanOutSink([
      {
        emit: () => {
          throw new Error('stdout closed');
        },
      },
      { emit: (r) => seen.push(r) },
    ]);
    const raw = rawMessage(new Uint8Array(1), { connection });
    assert.throws(() => fanOut.emit(raw), /stdout closed/);
    assert.equal(seen.length, 1);
  });
});
