/**
 * plaintap's own OTLP encoding against the SDK's: the same mapped records go once through the
 * OpenTelemetry SDK (LoggerProvider → LogRecordImpl → ProtobufLogsSerializer, the path plaintap
 * used before) and once through LogRecordEncoder + LogsRequestSerializer; the requests must be
 * the same bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { AnyValueMap, SeverityNumber } from '@opentelemetry/api-logs';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
// The SDK's own serializer (a dependency of @opentelemetry/exporter-logs-otlp-grpc): the reference.
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { Direction, type ConnectionFacts } from '../../../../agent/capture/captured-event';
import type { HttpExchange } from '../../../../agent/exchange/http-exchange';
import { EncodedLogRecord } from '../../../../agent/export/otlp/encoded-log-record';
import { LogRecordEncoder } from '../../../../agent/export/otlp/log-record-encoder';
import {
  createLogRecordMapper,
  type MappableRecord,
  type MappedLogRecordParts,
} from '../../../../agent/export/otlp/log-record-mapping';
import { LogsRequestSerializer } from '../../../../agent/export/otlp/logs-request-serializer';
import { ProtobufWriter } from '../../../../agent/export/otlp/protobuf-writer';

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
const v6: ConnectionFacts = { ...v4, pid: 7, comm: 'nginx', ipVersion: 6, localAddress: '::1', remoteAddress: 'fe80::1', uid: 0 };
const unknown: ConnectionFacts = { ...v4, pid: 2 ** 31, comm: '', ipVersion: 0, localAddress: '', remoteAddress: '', tlsLibrary: '' };

const noBody = { preview: new Uint8Array(0), truncated: false, wireBytes: 0, bytes: 0, decoding: 'identity' as const, lostBytes: 0 };

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
      headers: headers ?? [['Host', 'example.com'], ['User-Agent', 'curl/8 (ünïcode ✓)'], ['Accept', 'a'], ['Accept', 'b']],
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
      headers: [['Content-Type', 'text/html'], ['Set-Cookie', 'sid=1']],
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
  exchange({ connection: v6, side: 'server', headers: [['host', '[::1]:8443'], ['traceparent', TRACEPARENT]] }),
  exchange({ connection: unknown, durationNs: 0n, endNs: 1_700_000_000_000_000_001n, complete: false, incompleteReason: 'timeout', late: true, upgrade: 'websocket' }),
  exchange({ headers: [['traceparent', TRACEPARENT.replace(/-01$/, '-00')]] }),
  { kind: 'raw', connection: v4, direction: Direction.Egress, timestampNs: 1_764_000_000_999_999_999n, payload: new TextEncoder().encode('PING ✓\r\n'), length: 9, truncated: false },
  { kind: 'raw', connection: v6, direction: Direction.Ingress, timestampNs: 5n, payload: new Uint8Array([0, 1, 2, 255]), length: 4000, truncated: true },
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

/** The records through the SDK exactly as plaintap emitted them before, serialized by the SDK. */
function sdkRequest(mapped: readonly MappedLogRecordParts[], resourceAttributes: Record<string, string>): Uint8Array {
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
  for (const record of mapped) {
    const t = record.traceContext;
    const context = t ? trace.setSpanContext(ROOT_CONTEXT, { traceId: t.traceId, spanId: t.spanId, traceFlags: t.traceFlags, isRemote: true }) : ROOT_CONTEXT;
    logger.emit({
      eventName: record.eventName,
      timestamp: record.timestamp,
      observedTimestamp: OBSERVED_MS,
      severityNumber: record.severityNumber as SeverityNumber,
      severityText: record.severityText,
      body: record.body,
      attributes: { ...record.connectionAttributes, ...record.attributes } as AnyValueMap,
      context,
    });
  }
  const bytes = ProtobufLogsSerializer.serializeRequest(captured);
  assert.ok(bytes);
  return bytes;
}

function plaintapRequest(mapped: readonly MappedLogRecordParts[], resourceAttributes: Record<string, string>): Uint8Array {
  const resource = defaultResource().merge(resourceFromAttributes(resourceAttributes));
  const scope = { name: 'plaintap', version: '1.2.3' };
  const encoder = new LogRecordEncoder();
  const records = mapped.map((record) => {
    const out = new ProtobufWriter(64);
    encoder.encode(record, OBSERVED_MS, out);
    return new EncodedLogRecord(out.copy(), resource, scope);
  });
  const bytes = new LogsRequestSerializer(resource, scope).serializeRequest(records);
  assert.ok(bytes);
  return bytes;
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const at = a.findIndex((byte, i) => byte !== b[i]);
  const index = at < 0 ? Math.min(a.length, b.length) : at;
  return `lengths ${a.length} / ${b.length}, first difference at byte ${index}: ${Buffer.from(a.subarray(index, index + 16)).toString('hex')} vs ${Buffer.from(b.subarray(index, index + 16)).toString('hex')}`;
}

describe('LogRecordEncoder: the bytes the OpenTelemetry SDK would send', () => {
  const resourceAttributes = { 'service.name': 'edge', 'host.name': 'node-a', 'k8s.pod.name': 'plaintap-ö' };

  it('encodes every record kind exactly as the SDK does', () => {
    const mapper = createLogRecordMapper({ requestHeaders: ['accept', 'traceparent'], responseHeaders: ['content-type', 'set-cookie'] });
    const mapped = RECORDS.map((record) => mapper.mapParts(record));
    const expected = sdkRequest(mapped, resourceAttributes);
    const actual = plaintapRequest(mapped, resourceAttributes);
    assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), firstDifference(actual, expected));
  });

  it('reuses a connection\'s encoded attributes without changing the bytes', () => {
    const mapper = createLogRecordMapper();
    const mapped = Array.from({ length: 20 }, (_, i) => mapper.mapParts(exchange({ timestampNs: BigInt(i) * 1_000_000_007n })));
    assert.equal(mapped[0]?.connectionAttributes, mapped[19]?.connectionAttributes, 'one attribute set per connection');
    const actual = plaintapRequest(mapped, resourceAttributes);
    assert.ok(Buffer.from(actual).equals(Buffer.from(sdkRequest(mapped, resourceAttributes))));
  });

  it('keeps at most 128 attributes and counts the rest as dropped, as the SDK does', () => {
    const many: Record<string, string | number | boolean | readonly string[]> = {};
    for (let i = 0; i < 140; i++) many[`x.attribute.${i}`] = i % 3 === 0 ? `v${i}` : i % 3 === 1 ? i * 1.5 : [`a${i}`];
    const mapped = createLogRecordMapper().mapParts(exchange());
    const crowded: MappedLogRecordParts = { ...mapped, attributes: { ...mapped.attributes, ...many } };
    const actual = plaintapRequest([crowded], resourceAttributes);
    assert.ok(Buffer.from(actual).equals(Buffer.from(sdkRequest([crowded], resourceAttributes))), firstDifference(actual, sdkRequest([crowded], resourceAttributes)));
  });

  it('encodes numbers as the SDK does: int64 as int, the rest as double', () => {
    const mapped = createLogRecordMapper().mapParts(exchange());
    const numbers: MappedLogRecordParts = {
      ...mapped,
      attributes: { zero: 0, negative: -5, big: 2 ** 60, huge: 2 ** 64, fraction: 0.25, nan: NaN, inf: -Infinity, yes: true, no: false, empty: '' },
    };
    const actual = plaintapRequest([numbers], resourceAttributes);
    assert.ok(Buffer.from(actual).equals(Buffer.from(sdkRequest([numbers], resourceAttributes))), firstDifference(actual, sdkRequest([numbers], resourceAttributes)));
  });
});
