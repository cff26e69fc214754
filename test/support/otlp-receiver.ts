/**
 * A real OTLP/gRPC logs receiver for tests: a `@grpc/grpc-js` server on 127.0.0.1 implementing
 * `opentelemetry.proto.collector.logs.v1.LogsService/Export`, decoding with @grpc/proto-loader
 * from the .proto files in test/fixtures/otlp/. gzip-compressed requests are decompressed by
 * grpc-js (which hides `grpc-encoding` from handlers: measure bytes on the wire to tell).
 *
 *   const receiver = await startOtlpReceiver();
 *   // point an exporter at receiver.endpoint (http://127.0.0.1:<port>)
 *   await receiver.waitFor((records) => records.length >= 1, 5000);
 *   await receiver.stop();
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { shutdownGrpcServer } from './grpc-shutdown';

/** An OTLP AnyValue as a plain JS value (int64 as number when safe, else bigint). */
export type DecodedValue =
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | null
  | readonly DecodedValue[]
  | { readonly [key: string]: DecodedValue };

/** Which AnyValue field carried an attribute: tells an int from a double. */
export type DecodedValueKind = 'string' | 'bool' | 'int' | 'double' | 'array' | 'kvlist' | 'bytes' | 'empty';

/** One LogRecord, flattened with its resource and scope. */
export interface DecodedLogRecord {
  readonly resource: Readonly<Record<string, DecodedValue>>;
  readonly scope: { readonly name: string; readonly version: string };
  readonly eventName: string;
  readonly timeUnixNano: bigint;
  readonly observedTimeUnixNano: bigint;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: DecodedValue;
  readonly attributes: Readonly<Record<string, DecodedValue>>;
  readonly attributeKinds: Readonly<Record<string, DecodedValueKind>>;
  /** Lower-case hex; '' when the record carries no trace context. */
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: number;
  /** Wall-clock time the Export call carrying the record reached the receiver's handler. */
  readonly receivedUnixNano: bigint;
}

export interface OtlpReceiverOptions {
  /** Answer UNAVAILABLE to the first N Export calls (their records are not kept). */
  readonly failFirst?: number;
  /** Port to bind on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Serve TLS with this PEM key and certificate chain (endpoint becomes https://). */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
}

export interface OtlpReceiver {
  readonly port: number;
  /** `http://127.0.0.1:<port>` (plaintext), or `https://…` when started with `tls`. */
  readonly endpoint: string;
  /** Every record accepted so far, in arrival order. */
  records(): DecodedLogRecord[];
  /** Resolves with the records once `predicate(records)` holds; rejects after `timeoutMs`. */
  waitFor(
    predicate: (records: readonly DecodedLogRecord[]) => boolean,
    timeoutMs?: number,
  ): Promise<DecodedLogRecord[]>;
  /** Export calls received, failed ones included. */
  readonly exportCalls: number;
  /** Export calls answered with an error (failFirst). */
  readonly failedCalls: number;
  /** Request metadata (gRPC headers) of each Export call, in order: string values only. */
  readonly callHeaders: readonly Readonly<Record<string, string>>[];
  stop(): Promise<void>;
}

// ---- wire shapes as proto-loader decodes them (longs: String, bytes: Buffer, oneofs: true) ----

interface WireAnyValue {
  value?: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: WireAnyValue[] };
  kvlistValue?: { values?: WireKeyValue[] };
  bytesValue?: Buffer;
}
interface WireKeyValue {
  key?: string;
  value?: WireAnyValue | null;
}
interface WireLogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: WireAnyValue | null;
  attributes?: WireKeyValue[];
  flags?: number;
  traceId?: Buffer;
  spanId?: Buffer;
  eventName?: string;
}
interface WireExportRequest {
  resourceLogs?: Array<{
    resource?: { attributes?: WireKeyValue[] } | null;
    scopeLogs?: Array<{
      scope?: { name?: string; version?: string } | null;
      logRecords?: WireLogRecord[];
    }>;
  }>;
}

const PROTO_FILE = 'opentelemetry/proto/collector/logs/v1/logs_service.proto';

/** Finds test/fixtures/otlp from the source tree or from its compiled copy under dist-test/. */
function findProtoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'test', 'fixtures', 'otlp');
    if (existsSync(path.join(candidate, PROTO_FILE))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`otlp-receiver: ${PROTO_FILE} not found above ${__dirname}`);
    dir = parent;
  }
}

let cachedService: grpc.ServiceDefinition | undefined;

function logsServiceDefinition(): grpc.ServiceDefinition {
  if (cachedService) return cachedService;
  const root = findProtoRoot();
  const definition = protoLoader.loadSync(PROTO_FILE, {
    includeDirs: [root],
    keepCase: false,
    longs: String,
    enums: Number,
    bytes: Buffer,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    opentelemetry: { proto: { collector: { logs: { v1: { LogsService: grpc.ServiceClientConstructor } } } } };
  };
  cachedService = loaded.opentelemetry.proto.collector.logs.v1.LogsService.service;
  return cachedService;
}

function int64(text: string | undefined): number | bigint {
  const big = BigInt(text ?? '0');
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function kindOf(value: WireAnyValue | null | undefined): DecodedValueKind {
  switch (value?.value) {
    case 'stringValue':
      return 'string';
    case 'boolValue':
      return 'bool';
    case 'intValue':
      return 'int';
    case 'doubleValue':
      return 'double';
    case 'arrayValue':
      return 'array';
    case 'kvlistValue':
      return 'kvlist';
    case 'bytesValue':
      return 'bytes';
    default:
      return 'empty';
  }
}

function decodeValue(value: WireAnyValue | null | undefined): DecodedValue {
  if (!value) return null;
  switch (value.value) {
    case 'stringValue':
      return value.stringValue ?? '';
    case 'boolValue':
      return value.boolValue ?? false;
    case 'intValue':
      return int64(value.intValue);
    case 'doubleValue':
      return value.doubleValue ?? 0;
    case 'arrayValue':
      return (value.arrayValue?.values ?? []).map(decodeValue);
    case 'kvlistValue':
      return decodeAttributes(value.kvlistValue?.values);
    case 'bytesValue':
      return new Uint8Array(value.bytesValue ?? Buffer.alloc(0));
    default:
      return null;
  }
}

function decodeAttributes(list: readonly WireKeyValue[] | undefined): Record<string, DecodedValue> {
  const out: Record<string, DecodedValue> = {};
  for (const kv of list ?? []) out[kv.key ?? ''] = decodeValue(kv.value);
  return out;
}

function flatten(request: WireExportRequest, receivedUnixNano: bigint): DecodedLogRecord[] {
  const out: DecodedLogRecord[] = [];
  for (const resourceLogs of request.resourceLogs ?? []) {
    const resource = decodeAttributes(resourceLogs.resource?.attributes);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const scope = { name: scopeLogs.scope?.name ?? '', version: scopeLogs.scope?.version ?? '' };
      for (const record of scopeLogs.logRecords ?? []) {
        const attributeKinds: Record<string, DecodedValueKind> = {};
        for (const kv of record.attributes ?? []) attributeKinds[kv.key ?? ''] = kindOf(kv.value);
        out.push({
          resource,
          scope,
          eventName: record.eventName ?? '',
          timeUnixNano: BigInt(record.timeUnixNano ?? '0'),
          observedTimeUnixNano: BigInt(record.observedTimeUnixNano ?? '0'),
          severityNumber: record.severityNumber ?? 0,
          severityText: record.severityText ?? '',
          body: decodeValue(record.body),
          attributes: decodeAttributes(record.attributes),
          attributeKinds,
          traceId: record.traceId ? record.traceId.toString('hex') : '',
          spanId: record.spanId ? record.spanId.toString('hex') : '',
          flags: record.flags ?? 0,
          receivedUnixNano,
        });
      }
    }
  }
  return out;
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const failFirst = options.failFirst ?? 0;
  const received: DecodedLogRecord[] = [];
  const waiters = new Set<() => void>();
  const callHeaders: Record<string, string>[] = [];
  let exportCalls = 0;
  let failedCalls = 0;

  const server = new grpc.Server();
  server.addService(logsServiceDefinition(), {
    Export: (call: grpc.ServerUnaryCall<WireExportRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      exportCalls += 1;
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(call.metadata.getMap())) {
        if (typeof value === 'string') headers[key] = value;
      }
      callHeaders.push(headers);
      if (exportCalls <= failFirst) {
        failedCalls += 1;
        callback({
          code: grpc.status.UNAVAILABLE,
          details: `otlp-receiver: failing call ${exportCalls} of ${failFirst}`,
        });
        return;
      }
      received.push(...flatten(call.request, BigInt(Date.now()) * 1_000_000n));
      callback(null, {});
      for (const wake of [...waiters]) wake();
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    const credentials = options.tls
      ? grpc.ServerCredentials.createSsl(null, [{ private_key: options.tls.key, cert_chain: options.tls.cert }], false)
      : grpc.ServerCredentials.createInsecure();
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });

  return {
    port,
    endpoint: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    records: () => [...received],
    get exportCalls() {
      return exportCalls;
    },
    get failedCalls() {
      return failedCalls;
    },
    callHeaders,
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise<DecodedLogRecord[]>((resolve, reject) => {
        const check = (): boolean => {
          if (!predicate(received)) return false;
          cleanup();
          resolve([...received]);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `otlp-receiver: condition not met within ${timeoutMs} ms (${received.length} records, ` +
                `${exportCalls} export calls, ${failedCalls} failed)`,
            ),
          );
        }, timeoutMs);
        const wake = (): void => {
          check();
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
        check();
      });
    },
    stop: () => shutdownGrpcServer(server),
  };
}
