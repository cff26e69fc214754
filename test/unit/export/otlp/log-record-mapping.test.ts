import { facts } from '../../../support/captured-events';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Direction } from '../../../../agent/capture/captured-event';
import type { HttpBody, HttpExchange, HttpRequest, HttpResponse } from '../../../../agent/exchange/http-exchange';
import type { RawMessage } from '../../../../agent/exchange/output-record';
import type { WebSocketMessage } from '../../../../agent/exchange/websocket-message';
import {
  createLogRecordMapper,
  hrTimeFromNs,
  payloadBody,
  splitAuthority,
  splitTarget,
} from '../../../../agent/export/otlp/log-record-mapping';
import { redactRecord } from '../../../../agent/redaction/redact-record';
import { createRedactor } from '../../../../agent/redaction/redactor';
import { rawMessage, httpBody } from '../../../support/output-records';

const connection = facts({
  pid: 4242,
  tid: 4243,
  sockId: 0xffff888812345678n,
  localAddress: '10.0.0.5',
  localPort: 51234,
  remoteAddress: '93.184.216.34',
});

function raw(overrides: Partial<RawMessage> = {}): RawMessage {
  return rawMessage('PING\r\n', { connection, timestampNs: 1_700_000_000_123_456_789n, ...overrides });
}

function body(bytes: number, lostBytes = 0): HttpBody {
  return httpBody(bytes, { lostBytes });
}

function request(overrides: Partial<HttpRequest> = {}): HttpRequest {
  return {
    method: 'GET',
    target: '/search?q=tls&tab=s3cr3t',
    version: '1.1',
    headers: [
      ['Host', 'example.com'],
      ['User-Agent', 'curl/8.14.1'],
      ['Authorization', 'Bearer abc'],
      ['Accept', 'text/html'],
      ['Accept', 'application/json'],
    ],
    trailers: [],
    headerBytes: 120,
    body: body(0),
    startNs: 1_700_000_000_000_000_000n,
    endNs: 1_700_000_000_000_000_000n,
    tid: 4243,
    complete: true,
    ...overrides,
  };
}

function response(overrides: Partial<HttpResponse> = {}): HttpResponse {
  return {
    statusCode: 200,
    reason: 'OK',
    interim: [],
    version: '1.1',
    headers: [
      ['Content-Type', 'text/html'],
      ['Set-Cookie', 'sid=1'],
    ],
    trailers: [],
    headerBytes: 90,
    body: body(1256),
    startNs: 1_700_000_000_010_000_000n,
    endNs: 1_700_000_000_012_500_000n,
    tid: 4243,
    complete: true,
    ...overrides,
  };
}

/** A complete client-side HTTP/1 exchange, with fields replaced (undefined removes one). */
function exchange(overrides: { [K in keyof HttpExchange]?: HttpExchange[K] | undefined } = {}): HttpExchange {
  const base: HttpExchange = {
    kind: 'http1.exchange',
    connection,
    side: 'client',
    request: request(),
    response: response(),
    complete: true,
    late: false,
    timestampNs: 1_700_000_000_000_000_000n,
    endNs: 1_700_000_000_012_500_000n,
    durationNs: 12_500_000n,
  };
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged as unknown as HttpExchange;
}

describe('log record mapping: raw messages', () => {
  it('maps a raw message to plaintap.raw.message with process, thread and network attributes', () => {
    const mapped = createLogRecordMapper().map(raw());
    assert.equal(mapped.eventName, 'plaintap.raw.message');
    assert.deepEqual(mapped.timestamp, [1_700_000_000, 123_456_789]);
    assert.equal(mapped.severityText, 'INFO');
    assert.equal(mapped.severityNumber, 9);
    assert.equal(mapped.body, 'PING\r\n');
    assert.deepEqual(mapped.attributes, {
      'process.pid': 4242,
      'process.executable.name': 'curl',
      'process.user.id': 1000,
      'thread.id': 4243,
      'network.transport': 'tcp',
      'network.type': 'ipv4',
      'network.peer.address': '93.184.216.34',
      'network.peer.port': 443,
      'network.local.address': '10.0.0.5',
      'network.local.port': 51234,
      'plaintap.tls.library': 'openssl',
      'plaintap.direction': 'egress',
      'plaintap.length': 6,
      'plaintap.truncated': false,
    });
    assert.equal(mapped.traceContext, undefined);
  });

  it('adds container.id and k8s.pod.uid after the thread when the process has them', () => {
    const mapped = createLogRecordMapper().map(
      raw({
        connection: { ...connection, containerId: 'b'.repeat(64), podUid: '0f3c1e7a-2b4d-4c6e-8f10-123456789abc' },
      }),
    );
    const keys = Object.keys(mapped.attributes);
    assert.deepEqual(keys.slice(3, 6), ['thread.id', 'container.id', 'k8s.pod.uid']);
    assert.equal(mapped.attributes['container.id'], 'b'.repeat(64));
    assert.equal(mapped.attributes['k8s.pod.uid'], '0f3c1e7a-2b4d-4c6e-8f10-123456789abc');
    assert.equal('container.id' in createLogRecordMapper().map(raw()).attributes, false);
  });

  it('says ipv6, ingress and truncated; leaves the tuple out when unknown', () => {
    const v6 = createLogRecordMapper().map(
      raw({
        connection: { ...connection, ipVersion: 6, remoteAddress: '::1' },
        direction: Direction.Ingress,
        truncated: true,
      }),
    );
    assert.equal(v6.attributes['network.type'], 'ipv6');
    assert.equal(v6.attributes['network.peer.address'], '::1');
    assert.equal(v6.attributes['plaintap.direction'], 'ingress');
    assert.equal(v6.attributes['plaintap.truncated'], true);

    const unknown = createLogRecordMapper().map(
      raw({ connection: { ...connection, ipVersion: 0, remoteAddress: '', localAddress: '' } }),
    );
    for (const key of [
      'network.type',
      'network.peer.address',
      'network.peer.port',
      'network.local.address',
      'network.local.port',
    ]) {
      assert.equal(key in unknown.attributes, false, key);
    }
    assert.equal(unknown.attributes['network.transport'], 'tcp');
  });

  it('keeps binary payloads as bytes and can leave the payload out', () => {
    const bytes = new Uint8Array([0x16, 0x03, 0x01, 0x00, 0xff]);
    assert.equal(createLogRecordMapper().map(raw({ payload: bytes })).body, bytes);
    assert.equal(createLogRecordMapper({ payloads: false }).map(raw()).body, '');
  });
});

describe('log record mapping: HTTP exchanges', () => {
  it('maps a client exchange with semantic-convention attributes', () => {
    const mapped = createLogRecordMapper({
      requestHeaders: ['Accept', 'authorization'],
      responseHeaders: ['content-type', 'set-cookie'],
    }).map(exchange());
    assert.equal(mapped.eventName, 'plaintap.http.exchange');
    assert.equal(mapped.body, 'GET /search → 200');
    assert.equal(mapped.severityText, 'INFO');
    assert.deepEqual(mapped.timestamp, [1_700_000_000, 0]);
    const a = mapped.attributes;
    assert.equal(a['http.request.method'], 'GET');
    assert.equal('http.request.method_original' in a, false);
    assert.equal(a['url.scheme'], 'https');
    assert.equal(a['url.path'], '/search');
    assert.equal(a['url.query'], 'q=tls&tab=s3cr3t');
    assert.equal(a['http.response.status_code'], 200);
    assert.equal(a['server.address'], 'example.com');
    assert.equal(a['server.port'], 443);
    assert.equal(a['client.address'], '10.0.0.5');
    assert.equal(a['client.port'], 51234);
    assert.equal(a['network.peer.address'], '93.184.216.34');
    assert.equal(a['network.protocol.name'], 'http');
    assert.equal(a['network.protocol.version'], '1.1');
    assert.equal(a['user_agent.original'], 'curl/8.14.1');
    assert.equal(a['http.request.body.size'], 0);
    assert.equal(a['http.response.body.size'], 1256);
    assert.deepEqual(a['http.request.header.accept'], ['text/html', 'application/json']);
    // The mapping exports what it is given: records are redacted before any output sees them.
    assert.deepEqual(a['http.request.header.authorization'], ['Bearer abc']);
    assert.deepEqual(a['http.response.header.content-type'], ['text/html']);
    assert.deepEqual(a['http.response.header.set-cookie'], ['sid=1']);
    assert.equal(a['plaintap.duration'], 0.0125);
    assert.equal(a['plaintap.side'], 'client');
    assert.equal(a['plaintap.incomplete'], false);
    assert.equal(a['plaintap.protocol'], 'http1');
    assert.equal('error.type' in a, false);
  });

  it('exports no headers unless they are on the allow-list', () => {
    const mapped = createLogRecordMapper().map(exchange());
    assert.deepEqual(
      Object.keys(mapped.attributes).filter(
        (k) => k.startsWith('http.request.header.') || k.startsWith('http.response.header.'),
      ),
      [],
    );
  });

  it('exports a redacted record as redacted (the redacting sink runs before every output)', () => {
    const redacted = redactRecord(exchange(), createRedactor({ queryKeys: ['tab'] }));
    const mapped = createLogRecordMapper({ requestHeaders: ['authorization'] }).map(redacted);
    assert.equal(mapped.attributes['url.query'], 'q=tls&tab=REDACTED');
    assert.deepEqual(mapped.attributes['http.request.header.authorization'], ['REDACTED']);
  });

  it('reports unknown methods as _OTHER with the original', () => {
    const mapped = createLogRecordMapper().map(exchange({ request: request({ method: 'PURGE' }) }));
    assert.equal(mapped.attributes['http.request.method'], '_OTHER');
    assert.equal(mapped.attributes['http.request.method_original'], 'PURGE');
    assert.equal(mapped.body, 'PURGE /search → 200');
  });

  it('uses the socket for server.* on the server side without Host, and names the client from the peer', () => {
    const mapped = createLogRecordMapper().map(
      exchange({ side: 'server', request: request({ headers: [], target: '/' }) }),
    );
    const a = mapped.attributes;
    assert.equal(a['server.address'], '10.0.0.5');
    assert.equal(a['server.port'], 51234);
    assert.equal(a['client.address'], '93.184.216.34');
    assert.equal(a['client.port'], 443);
    assert.equal('url.query' in a, false);
    assert.equal('user_agent.original' in a, false);
  });

  it('takes server.port from Host, and server.* from an absolute-form target', () => {
    const withPort = createLogRecordMapper().map(exchange({ request: request({ headers: [['host', '[::1]:8443']] }) }));
    assert.equal(withPort.attributes['server.address'], '::1');
    assert.equal(withPort.attributes['server.port'], 8443);
    const absolute = createLogRecordMapper().map(
      exchange({ request: request({ headers: [], target: 'https://user@api.example:9443/v1/x?y=1' }) }),
    );
    assert.equal(absolute.attributes['server.address'], 'api.example');
    assert.equal(absolute.attributes['server.port'], 9443);
    assert.equal(absolute.attributes['url.path'], '/v1/x');
    assert.equal(absolute.attributes['url.query'], 'y=1');
  });

  it('warns on 5xx with error.type = status; 4xx is an error on the client side only', () => {
    const s503 = createLogRecordMapper().map(exchange({ response: response({ statusCode: 503 }) }));
    assert.equal(s503.severityText, 'WARN');
    assert.equal(s503.severityNumber, 13);
    assert.equal(s503.attributes['error.type'], '503');
    const client404 = createLogRecordMapper().map(exchange({ response: response({ statusCode: 404 }) }));
    assert.equal(client404.severityText, 'INFO');
    assert.equal(client404.attributes['error.type'], '404');
    const server404 = createLogRecordMapper().map(
      exchange({ side: 'server', response: response({ statusCode: 404 }) }),
    );
    assert.equal('error.type' in server404.attributes, false);
  });

  it('maps an incomplete exchange: WARN, error.type = reason, no status, no duration', () => {
    const mapped = createLogRecordMapper().map(
      exchange({ response: undefined, complete: false, incompleteReason: 'timeout' }),
    );
    assert.equal(mapped.severityText, 'WARN');
    assert.equal(mapped.body, 'GET /search → (timeout)');
    assert.equal(mapped.attributes['error.type'], 'timeout');
    assert.equal(mapped.attributes['plaintap.incomplete'], true);
    assert.equal('http.response.status_code' in mapped.attributes, false);
    assert.equal('plaintap.duration' in mapped.attributes, false);
  });

  it('maps a response without its request (agent started mid-connection)', () => {
    const mapped = createLogRecordMapper().map(
      exchange({ side: 'server', request: undefined, complete: false, incompleteReason: 'no-request' }),
    );
    assert.equal(mapped.body, '(no request) → 200');
    assert.equal('http.request.method' in mapped.attributes, false);
    assert.equal('url.path' in mapped.attributes, false);
    assert.equal(mapped.attributes['server.address'], '10.0.0.5', 'from the socket');
    assert.equal(mapped.attributes['network.protocol.version'], '1.1', 'from the response');
    assert.equal(mapped.attributes['error.type'], 'no-request');
  });

  it('marks late exchanges, upgrades and capture loss', () => {
    const mapped = createLogRecordMapper().map(
      exchange({
        late: true,
        upgrade: 'websocket',
        response: response({ statusCode: 101, body: body(0, 0) }),
        request: request({ body: body(10, 4) }),
      }),
    );
    assert.equal(mapped.attributes['plaintap.late'], true);
    assert.equal(mapped.attributes['plaintap.upgrade'], 'websocket');
    assert.equal(mapped.attributes['plaintap.truncated'], true);
    assert.equal(mapped.attributes['http.request.body.size'], 10);
  });

  it('maps an exchange already in view form the same way', () => {
    const mapped = createLogRecordMapper().map({
      kind: 'http-exchange-view',
      connection,
      protocol: 'http2',
      httpVersion: '2',
      side: 'client',
      timestampNs: 1n,
      durationNs: 1_000_000n,
      request: { method: 'POST', target: '/grpc.Service/Call', headers: [[':authority', 'x']] },
      response: { statusCode: 200, headers: [] },
      truncated: false,
    });
    assert.equal(mapped.body, 'POST /grpc.Service/Call → 200');
    assert.equal(mapped.attributes['network.protocol.version'], '2');
    assert.equal(mapped.attributes['plaintap.protocol'], 'http2');
  });

  it('takes trace and span id from a valid traceparent request header', () => {
    const traced = createLogRecordMapper().map(
      exchange({
        request: request({ headers: [['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']] }),
      }),
    );
    assert.deepEqual(traced.traceContext, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    const invalid = createLogRecordMapper().map(
      exchange({
        request: request({ headers: [['traceparent', '00-00000000000000000000000000000000-00f067aa0ba902b7-01']] }),
      }),
    );
    assert.equal(invalid.traceContext, undefined);
  });
});

describe('log record mapping: WebSocket messages', () => {
  const message: WebSocketMessage = {
    kind: 'websocket.message',
    connection,
    side: 'client',
    direction: Direction.Ingress,
    sender: 'server',
    type: 'text',
    payload: new TextEncoder().encode('{"hello":"world"}'),
    length: 17,
    truncated: false,
    frames: 1,
    masked: false,
    compressed: true,
    inflated: true,
    complete: true,
    target: '/chat?room=1&token=abc',
    timestampNs: 1_700_000_000_000_000_001n,
    endNs: 1_700_000_000_000_000_002n,
    tid: 4243,
  };

  it('maps a text message with its payload as the body', () => {
    const redacted = redactRecord(message, createRedactor({ queryKeys: ['token'] }));
    const mapped = createLogRecordMapper().map(redacted);
    assert.equal(mapped.eventName, 'plaintap.websocket.message');
    assert.equal(mapped.body, '{"hello":"world"}');
    assert.equal(mapped.severityText, 'INFO');
    const a = mapped.attributes;
    assert.equal(a['url.path'], '/chat');
    assert.equal(a['url.query'], 'room=1&token=REDACTED');
    assert.equal(a['network.protocol.name'], 'websocket');
    assert.equal(a['plaintap.direction'], 'ingress');
    assert.equal(a['plaintap.side'], 'client');
    assert.equal(a['plaintap.websocket.sender'], 'server');
    assert.equal(a['plaintap.websocket.type'], 'text');
    assert.equal(a['plaintap.websocket.frames'], 1);
    assert.equal(a['plaintap.websocket.compressed'], true);
    assert.equal(a['plaintap.length'], 17);
    assert.equal(a['plaintap.incomplete'], false);
  });

  it('keeps binary payloads as bytes, warns on incomplete messages, and can drop payloads', () => {
    const binary = createLogRecordMapper().map({
      ...message,
      type: 'binary',
      complete: false,
      payload: new Uint8Array([1, 2]),
    });
    assert.ok(binary.body instanceof Uint8Array);
    assert.equal(binary.severityText, 'WARN');
    assert.equal(binary.attributes['plaintap.incomplete'], true);
    assert.equal(createLogRecordMapper({ payloads: false }).map(message).body, '');
  });
});

describe('log record mapping: helpers', () => {
  it('hrTimeFromNs splits nanoseconds exactly', () => {
    assert.deepEqual(hrTimeFromNs(0n), [0, 0]);
    assert.deepEqual(hrTimeFromNs(1_999_999_999n), [1, 999_999_999]);
  });

  it('payloadBody tells text from binary', () => {
    assert.equal(payloadBody(new TextEncoder().encode('héllo\tworld\n')), 'héllo\tworld\n');
    assert.ok(payloadBody(new Uint8Array([0x00, 0x41])) instanceof Uint8Array);
    assert.ok(payloadBody(new Uint8Array([0xc3, 0x28])) instanceof Uint8Array, 'invalid UTF-8');
    assert.equal(payloadBody(new Uint8Array([0x61, 0xc3]), true), 'a', 'a character cut by the cap is dropped');
    assert.ok(payloadBody(new Uint8Array([0x61, 0xc3]), false) instanceof Uint8Array);
  });

  it('splitAuthority and splitTarget', () => {
    assert.deepEqual(splitAuthority('example.com'), { host: 'example.com' });
    assert.deepEqual(splitAuthority('example.com:8080'), { host: 'example.com', port: 8080 });
    assert.deepEqual(splitAuthority('[2001:db8::1]'), { host: '2001:db8::1' });
    assert.deepEqual(splitAuthority('2001:db8::1'), { host: '2001:db8::1' });
    assert.deepEqual(splitTarget('/a?b=1#c'), { path: '/a', query: 'b=1' });
    assert.deepEqual(splitTarget('*'), { path: '*' });
    assert.deepEqual(splitTarget('https://h'), { path: '/', authority: 'h' });
  });
});
