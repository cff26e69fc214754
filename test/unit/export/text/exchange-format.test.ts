import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import type { HttpExchange } from '../../../../agent/exchange/http-exchange';
import type { WebSocketMessage } from '../../../../agent/exchange/websocket-message';
import {
  exchangeToJson,
  formatExchangeText,
  formatWebSocketText,
  webSocketMessageToJson,
} from '../../../../agent/export/text/exchange-format';
import { exchanges, run } from '../../protocols/http1/harness';
import { CONNECTION, concat, req, res } from '../../../support/stream-script';

const SECOND = 1_700_000_000_000_000_000n;

function sample(): HttpExchange {
  const gz = zlib.gzipSync(Buffer.from('{"ok":true}'));
  const [x] = exchanges(
    run([
      req(
        'POST /api/items?id=7 HTTP/1.1\r\nHost: api.example\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"a":"b"}',
        {
          ts: SECOND,
          tid: 11,
        },
      ),
      res(
        concat(
          `HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`,
          gz,
        ),
        { ts: SECOND + 12_345_678n, tid: 12 },
      ),
    ]).records,
  );
  assert.ok(x);
  return x;
}

describe('exchange format', () => {
  it('prints an exchange under the process line', () => {
    const x = sample();
    const out = formatExchangeText(x);
    assert.equal(
      out,
      [
        'PID:4242, Comm:curl, Src:10.0.0.1:50000, Dest:10.0.0.2:443,',
        'POST /api/items?id=7 HTTP/1.1',
        'Host: api.example',
        'Content-Type: application/json',
        'Content-Length: 9',
        '',
        '{"a":"b"}',
        'HTTP/1.1 201 Created',
        'Content-Type: application/json',
        'Content-Encoding: gzip',
        `Content-Length: ${x.response?.body.bytes}`,
        '',
        '{"ok":true}',
        '[content-encoding gzip: decoded]',
        `Duration:12.345ms, Side:client, TID:11, FD:5, Request:${x.request?.headerBytes}+9B, Response:${x.response?.headerBytes}+${x.response?.body.wireBytes}B`,
        '',
        '',
      ].join('\n'),
    );
  });

  it('puts IPv6 addresses in brackets and flags incomplete exchanges', () => {
    const x: HttpExchange = {
      ...sample(),
      connection: {
        ...CONNECTION,
        ipVersion: 6,
        localAddress: '::1',
        localPort: 8443,
        remoteAddress: 'fe80::1',
        remotePort: 55000,
      },
      side: 'server',
      complete: false,
      incompleteReason: 'timeout',
    };
    const { response: _response, ...withoutResponse } = x;
    void _response;
    const out = formatExchangeText(withoutResponse);
    assert.ok(out.startsWith('PID:4242, Comm:curl, Src:[::1]:8443, Dest:[fe80::1]:55000,\n'));
    assert.match(out, /\n\(no response\)\n/);
    assert.match(out, /Side:server, .*Incomplete:timeout\n\n$/);
  });

  it('shows binary bodies as a hex dump, and everything as hex when asked', () => {
    const [x] = exchanges(
      run([
        req('GET /img HTTP/1.1\r\nHost: h\r\n\r\n'),
        res(
          concat(
            'HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 4\r\n\r\n',
            Buffer.from([0x89, 0x50, 0x4e, 0x47]),
          ),
        ),
      ]).records,
    );
    assert.ok(x);
    assert.match(formatExchangeText(x), /00000000 {2}89 50 4e 47 .*\|\.PNG\|/);
    assert.match(formatExchangeText(sample(), { hex: true }), /00000000 {2}7b 22 61 22 3a 22 62 22 {2}7d/);
  });

  it('converts an exchange to snake_case JSON without bigints or bytes', () => {
    const json = exchangeToJson(sample());
    const roundTrip = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
    assert.deepEqual(roundTrip, json);
    assert.equal(json.kind, 'http1.exchange');
    assert.equal(json.time, '2023-11-14T22:13:20.000000000Z');
    assert.equal(json.end_time, '2023-11-14T22:13:20.012345678Z');
    assert.equal(json.duration_ns, 12_345_678);
    assert.equal(json.duration_ms, 12.345);
    assert.equal(json.side, 'client');
    assert.equal(json.src_addr, '10.0.0.1');
    assert.equal(json.dst_port, 443);
    assert.equal(json.sock_id, '0xffff888000001000');
    assert.equal(json.complete, true);
    assert.equal(json.incomplete_reason, null);
    assert.equal(json.request?.method, 'POST');
    assert.deepEqual(json.request?.headers[0], ['Host', 'api.example']);
    assert.equal(json.request?.tid, 11);
    assert.deepEqual(json.response?.body, {
      size: json.response?.body.size,
      wire_size: json.response?.body.wire_size,
      decoded_size: 11,
      content_encoding: 'gzip',
      decoding: 'decoded',
      captured_length: 11,
      truncated: false,
      lost_bytes: 0,
      payload: '{"ok":true}',
    });
    const hexBody = exchangeToJson(sample(), { hex: true }).request?.body;
    assert.equal(
      hexBody && 'payload_hex' in hexBody ? hexBody.payload_hex : undefined,
      Buffer.from('{"a":"b"}').toString('hex'),
    );
  });

  it('formats WebSocket messages', () => {
    const message: WebSocketMessage = {
      kind: 'websocket.message',
      connection: CONNECTION,
      side: 'client',
      direction: 0,
      sender: 'client',
      type: 'text',
      payload: Buffer.from('Hello'),
      length: 5,
      truncated: false,
      frames: 1,
      masked: true,
      compressed: false,
      inflated: false,
      complete: true,
      target: '/chat',
      timestampNs: SECOND,
      endNs: SECOND,
      tid: 3,
    };
    assert.equal(
      formatWebSocketText(message),
      'PID:4242, Comm:curl, Src:10.0.0.1:50000, Dest:10.0.0.2:443,\nWebSocket text client -> server, 5 bytes, 1 frame, Target:/chat, masked\nHello\n\n',
    );
    const json = webSocketMessageToJson(message);
    assert.equal(json.direction, 'egress');
    assert.equal(json.sender, 'client');
    assert.equal('payload' in json ? json.payload : undefined, 'Hello');
  });
});
