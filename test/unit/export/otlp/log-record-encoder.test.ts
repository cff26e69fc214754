/**
 * plaintap's own OTLP encoding against the SDK's: the same mapped records go once through the
 * OpenTelemetry SDK (LoggerProvider → LogRecordImpl → ProtobufLogsSerializer, the path plaintap
 * used before) and once through LogRecordEncoder + LogsRequestSerializer; the requests must be
 * the same bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { AnyValueMap } from '@opentelemetry/api-logs';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordExporter,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
// The SDK's own serializer (a dependency of @opentelemetry/exporter-logs-otlp-grpc): the reference.
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { Direction, type ConnectionFacts } from '../../../../agent/capture/captured-event';
import type { HttpExchange } from '../../../../agent/exchange/http-exchange';
import { EncodedLogRecord } from '../../../../agent/export/otlp/encoded-log-record';
import { LogRecordEncoder } from '../../../../agent/export/otlp/log-record-encoder';
import {
  createLogRecordMapper,
  type LogRecordMappingOptions,
  type MappableRecord,
} from '../../../../agent/export/otlp/log-record-mapping';
import { LogsRequestSerializer } from '../../../../agent/export/otlp/logs-request-serializer';
import { ProtobufWriter } from '../../../../agent/export/otlp/protobuf-writer';
import { httpBody } from '../../../support/output-records';

const v4: ConnectionFacts = {
  pid: 4242,
  tid: 4243,
  uid: 1000,
  comm: 'curl',
  fd: 5,
  sockId: 0xffff888812345678n,
  ipVersion: 4,
  localAddress: '10.0.0.5',
  localPort: 51234,
  remoteAddress: '93.184.216.34',
  remotePort: 443,
  tlsLibrary: 'openssl',
};
const v6: ConnectionFacts = {
  ...v4,
  pid: 7,
  comm: 'nginx',
  ipVersion: 6,
  localAddress: '::1',
  remoteAddress: 'fe80::1',
  uid: 0,
};
const unknown: ConnectionFacts = {
  ...v4,
  pid: 2 ** 31,
  comm: '',
  ipVersion: 0,
  localAddress: '',
  remoteAddress: '',
  tlsLibrary: '',
};

const noBody = httpBody();

function exchange(overrides: Partial<HttpExchange> & { headers?: [string, string][] } = {}): HttpExchange {
  const { headers, ...rest } = overrides;
  return {
    kind: 'http1.exchange',
    connection: v4,
    side: 'client',
    request: {
      method: 'GET',
      target: '/search?q=tls&sig=s3cr3t',
      version: '1.1',
      headers: headers ?? [
        ['Host', 'example.com'],
        ['User-Agent', 'curl/8 (ünïcode ✓)'],
        ['Accept', 'a'],
        ['Accept', 'b'],
      ],
      trailers: [],
      headerBytes: 120,
      body: { ...noBody, bytes: 3 },
      startNs: 1_700_000_000_000_000_000n,
      endNs: 1_700_000_000_000_000_000n,
      tid: 4243,
      complete: true,
    },
    response: {
      statusCode: 503,
      reason: 'Unavailable',
      interim: [],
      version: '1.1',
      headers: [
        ['Content-Type', 'text/html'],
        ['Set-Cookie', 'sid=1'],
      ],
      trailers: [],
      headerBytes: 90,
      body: { ...noBody, bytes: 1256 },
      startNs: 1_700_000_000_010_000_000n,
      endNs: 1_700_000_000_012_500_000n,
      tid: 4243,
      complete: true,
    },
    complete: true,
    late: false,
    timestampNs: 1_700_000_000_000_000_001n,
    endNs: 1_700_000_000_012_500_000n,
    durationNs: 12_500_000n,
    ...rest,
  };
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Records of every kind and the odd cases: unicode, bytes, trace context, no tuple, an integral duration, header arrays. */
const RECORDS: MappableRecord[] = [
  exchange(),
  exchange({
    connection: v6,
    side: 'server',
    headers: [
      ['host', '[::1]:8443'],
      ['traceparent', TRACEPARENT],
    ],
  }),
  exchange({
    connection: unknown,
    durationNs: 0n,
    endNs: 1_700_000_000_000_000_001n,
    complete: false,
    incompleteReason: 'timeout',
    late: true,
    upgrade: 'websocket',
  }),
  exchange({ headers: [['traceparent', TRACEPARENT.replace(/-01$/, '-00')]] }),
  {
    kind: 'raw',
    connection: v4,
    direction: Direction.Egress,
    timestampNs: 1_764_000_000_999_999_999n,
    payload: new TextEncoder().encode('PING ✓\r\n'),
    length: 9,
    truncated: false,
  },
  {
    kind: 'raw',
    connection: v6,
    direction: Direction.Ingress,
    timestampNs: 5n,
    payload: new Uint8Array([0, 1, 2, 255]),
    length: 4000,
    truncated: true,
  },
  {
    kind: 'websocket.message',
    connection: v4,
    timestampNs: 1_764_000_000_000_000_000n,
    direction: Direction.Ingress,
    side: 'client',
    sender: 'server',
    type: 'text',
    target: '/chat?room=1',
    payload: new TextEncoder().encode('{"hi":1}'),
    length: 8,
    frames: 2,
    compressed: true,
    complete: false,
    truncated: false,
  } as MappableRecord,
];

const OBSERVED_MS = Date.now();

/** The records mapped and then sent through the SDK exactly as plaintap emitted them before, serialized by the SDK. */
function sdkRequest(
  records: readonly MappableRecord[],
  mapping: LogRecordMappingOptions,
  resourceAttributes: Record<string, string>,
): Uint8Array {
  const mapper = createLogRecordMapper(mapping);
  const captured: ReadableLogRecord[] = [];
  const capture: LogRecordExporter = {
    export: (logs, done) => {
      captured.push(...logs);
      done({ code: 0 });
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new LoggerProvider({
    resource: defaultResource().merge(resourceFromAttributes(resourceAttributes)),
    processors: [new SimpleLogRecordProcessor({ exporter: capture })],
  });
  const logger = provider.getLogger('plaintap', '1.2.3');
  for (const record of records.map((r) => mapper.map(r))) {
    const t = record.traceContext;
    const context = t
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: t.traceId,
          spanId: t.spanId,
          traceFlags: t.traceFlags,
          isRemote: true,
        })
      : ROOT_CONTEXT;
    logger.emit({
      eventName: record.eventName,
      timestamp: record.timestamp,
      observedTimestamp: OBSERVED_MS,
      severityNumber: record.severityNumber,
      severityText: record.severityText,
      body: record.body,
      attributes: record.attributes as AnyValueMap,
      context,
    });
  }
  const bytes = ProtobufLogsSerializer.serializeRequest(captured);
  assert.ok(bytes);
  return bytes;
}

function plaintapRequest(
  records: readonly MappableRecord[],
  mapping: LogRecordMappingOptions,
  resourceAttributes: Record<string, string>,
): Uint8Array {
  const resource = defaultResource().merge(resourceFromAttributes(resourceAttributes));
  const scope = { name: 'plaintap', version: '1.2.3' };
  const encoder = new LogRecordEncoder(mapping);
  const encoded = records.map((record) => {
    const out = new ProtobufWriter(64);
    encoder.encode(record, OBSERVED_MS, out);
    return new EncodedLogRecord(out.copy(), resource, scope);
  });
  const bytes = new LogsRequestSerializer(resource, scope).serializeRequest(encoded);
  assert.ok(bytes);
  return bytes;
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const at = a.findIndex((byte, i) => byte !== b[i]);
  const index = at < 0 ? Math.min(a.length, b.length) : at;
  return `lengths ${a.length} / ${b.length}, first difference at byte ${index}: ${Buffer.from(a.subarray(index, index + 16)).toString('hex')} vs ${Buffer.from(b.subarray(index, index + 16)).toString('hex')}`;
}

/** Sends `records` both ways and compares the requests. */
function assertSameBytes(records: readonly MappableRecord[], mapping: LogRecordMappingOptions = {}): void {
  const resourceAttributes = { 'service.name': 'edge', 'host.name': 'node-a', 'k8s.pod.name': 'plaintap-ö' };
  const expected = sdkRequest(records, mapping, resourceAttributes);
  const actual = plaintapRequest(records, mapping, resourceAttributes);
  assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), firstDifference(actual, expected));
}

describe('LogRecordEncoder: the bytes the OpenTelemetry SDK would send', () => {
  it('encodes every record kind exactly as the SDK does', () => {
    assertSameBytes(RECORDS, {
      requestHeaders: ['accept', 'Accept', 'traceparent'],
      responseHeaders: ['content-type', 'set-cookie'],
    });
  });

  it("encodes a connection's attributes once and reuses them for all its records, same bytes", () => {
    assertSameBytes(Array.from({ length: 20 }, (_, i) => exchange({ timestampNs: BigInt(i) * 1_000_000_007n })));
  });

  it('keeps at most 128 attributes and counts the rest as dropped, as the SDK does', () => {
    const names = Array.from({ length: 140 }, (_, i) => `x-header-${i}`);
    assertSameBytes([exchange({ headers: names.map((name, i) => [name, `v${i}`]) })], { requestHeaders: names });
  });

  it('encodes numbers as the SDK does: int64 as int, the rest as double', () => {
    const view = (requestBodySize: number, responseBodySize: number): MappableRecord => ({
      kind: 'http-exchange-view',
      connection: v4,
      protocol: 'http1',
      httpVersion: '1.1',
      side: 'client',
      timestampNs: 1_764_000_000_000_000_000n,
      durationNs: 0n,
      request: { method: 'POST', target: '/', headers: [], bodySize: requestBodySize },
      response: { statusCode: 200, headers: [], bodySize: responseBodySize },
      truncated: false,
    });
    assertSameBytes([view(-5, 2 ** 60), view(2 ** 64, 0.25), view(NaN, -Infinity), view(0, Number.MAX_SAFE_INTEGER)]);
  });

  it('writes short and long, ASCII and non-ASCII values alike (the one-pass path and the general one)', () => {
    const view = (target: string, userAgent: string, bodySize: number): MappableRecord => ({
      kind: 'http-exchange-view',
      connection: v4,
      protocol: 'http1',
      httpVersion: '1.1',
      side: 'server',
      timestampNs: 1_764_000_000_000_000_000n,
      durationNs: 5n,
      request: { method: 'GET', target, headers: [['user-agent', userAgent]], bodySize },
      response: { statusCode: 200, headers: [], bodySize },
      truncated: false,
    });
    // url.path is 8 key bytes: the KeyValue reaches 128 bytes at a 113-character path.
    const paths = [110, 111, 112, 113, 114, 125, 126, 127, 128, 200].map((n) => `/${'p'.repeat(n - 1)}`);
    assertSameBytes([
      ...paths.map((path, i) => view(path, 'curl/8.5.0', i)),
      view('/caf\u00e9', 'Mozilla/5.0 (\u00e9t\u00e9) \u{1F600}', 2 ** 32 - 1),
      view('/', '', 2 ** 32),
      view('/x', 'a'.repeat(126), 127),
    ]);
  });

  it('writes nothing for a record it cannot map', () => {
    const out = new ProtobufWriter(64);
    assert.throws(
      () => new LogRecordEncoder().encode({ kind: 'nonsense' } as unknown as MappableRecord, OBSERVED_MS, out),
      /no log record mapping/,
    );
    assert.equal(out.pos, 0);
  });
});
