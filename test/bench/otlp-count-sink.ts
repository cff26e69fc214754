/**
 * An OTLP/gRPC logs sink for throughput benchmarks: a real `@grpc/grpc-js` server answering
 * `LogsService/Export`, that only counts. The request stays bytes (no protobuf decoding into JS
 * objects): its log records are counted by walking the protobuf wire format, so the sink costs
 * little next to the exporter it measures. For checking record contents use
 * test/support/otlp-receiver.ts.
 */
import * as grpc from '@grpc/grpc-js';
import { shutdownGrpcServer } from '../support/grpc-shutdown';

export interface OtlpCountSink {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Log records in the Export calls answered so far. */
  readonly records: number;
  readonly calls: number;
  /** Protobuf bytes received (after gRPC framing and any decompression). */
  readonly bytes: number;
  stop(): Promise<void>;
}

const EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const EMPTY = Buffer.alloc(0);

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** Reads a varint at `at`; returns [value, next offset]. Values above 2^53 lose precision (fine for lengths). */
function varint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error('otlp-count-sink: truncated varint');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
    scale *= 128;
  }
}

/**
 * Calls `onField(field, start, end)` for every length-delimited field of the message in
 * bytes[start, end); skips the others.
 */
function eachLengthField(
  bytes: Uint8Array,
  start: number,
  end: number,
  onField: (field: number, from: number, to: number) => void,
): void {
  let at = start;
  while (at < end) {
    const [tag, afterTag] = varint(bytes, at);
    const field = Math.floor(tag / 8);
    switch (tag & 7) {
      case WIRE_VARINT:
        at = varint(bytes, afterTag)[1];
        break;
      case WIRE_FIXED64:
        at = afterTag + 8;
        break;
      case WIRE_FIXED32:
        at = afterTag + 4;
        break;
      case WIRE_LEN: {
        const [length, from] = varint(bytes, afterTag);
        onField(field, from, from + length);
        at = from + length;
        break;
      }
      default:
        throw new Error(`otlp-count-sink: unsupported wire type ${tag & 7}`);
    }
  }
}

/** ExportLogsServiceRequest.resource_logs(1) → ResourceLogs.scope_logs(2) → ScopeLogs.log_records(2). */
export function countLogRecords(request: Uint8Array): number {
  let count = 0;
  eachLengthField(request, 0, request.length, (resourceField, rStart, rEnd) => {
    if (resourceField !== 1) return;
    eachLengthField(request, rStart, rEnd, (scopeField, sStart, sEnd) => {
      if (scopeField !== 2) return;
      eachLengthField(request, sStart, sEnd, (recordField) => {
        if (recordField === 2) count++;
      });
    });
  });
  return count;
}

export async function startOtlpCountSink(port = 0): Promise<OtlpCountSink> {
  let records = 0;
  let calls = 0;
  let bytes = 0;
  const server = new grpc.Server();
  const service: grpc.ServiceDefinition = {
    Export: {
      path: EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      // Bytes in, bytes out: no protobuf objects on either side.
      requestSerialize: (value: Buffer) => value,
      requestDeserialize: (value: Buffer) => value,
      responseSerialize: () => EMPTY,
      responseDeserialize: (value: Buffer) => value,
    },
  };
  server.addService(service, {
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      calls++;
      bytes += call.request.length;
      records += countLogRecords(call.request);
      callback(null, EMPTY);
    },
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, value) =>
      error ? reject(error) : resolve(value),
    );
  });
  return {
    port: bound,
    endpoint: `http://127.0.0.1:${bound}`,
    get records() {
      return records;
    },
    get calls() {
      return calls;
    },
    get bytes() {
      return bytes;
    },
    stop: () => shutdownGrpcServer(server),
  };
}
