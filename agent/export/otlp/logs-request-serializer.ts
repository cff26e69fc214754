/**
 * The serializer plaintap gives the SDK's OTLP/gRPC export delegate in place of the SDK's own
 * ProtobufLogsSerializer: records arrive encoded (EncodedLogRecord), so a request is their bytes
 * framed as ExportLogsServiceRequest → ResourceLogs (the resource, encoded once) → ScopeLogs
 * (the scope, encoded once) → LogRecord*, laid out as the SDK lays it out. Responses (partial
 * success) are decoded by the SDK's own ProtobufLogsSerializer.
 */
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { EncodedLogRecord } from './encoded-log-record';
import type { LogAttributes } from './log-record-mapping';
import { writeKeyValue } from './log-record-encoder';
import { ProtobufWriter, varintSize, WIRE_LENGTH, WIRE_VARINT } from './protobuf-writer';

/** `Resource` as a ResourceLogs field 1: attributes, then dropped_attributes_count 0 (as the SDK writes it). */
function encodeResource(resource: Resource): Uint8Array {
  const out = new ProtobufWriter(1024);
  out.tag(1, WIRE_LENGTH);
  const at = out.begin();
  const attributes = resource.attributes as LogAttributes;
  for (const key in attributes) writeKeyValue(out, 1, key, attributes[key]);
  out.tag(2, WIRE_VARINT);
  out.varint(0);
  out.end(at);
  return out.copy();
}

/** `InstrumentationScope` as a ScopeLogs field 1: name, version when set. */
function encodeScope(scope: InstrumentationScope): Uint8Array {
  const out = new ProtobufWriter(256);
  out.tag(1, WIRE_LENGTH);
  const at = out.begin();
  out.tag(1, WIRE_LENGTH);
  out.string(scope.name);
  if (scope.version) {
    out.tag(2, WIRE_LENGTH);
    out.string(scope.version);
  }
  out.end(at);
  return out.copy();
}

export class LogsRequestSerializer {
  private readonly resource: Uint8Array;
  private readonly scope: Uint8Array;
  /**
   * One request buffer, reused: the SDK's gRPC transport copies the request before `export`
   * returns (`Buffer.from` in GrpcExporterTransport.send, called in the same tick as
   * serializeRequest), so a fresh allocation per request — a few hundred KiB, mmap'd and
   * page-faulted in each time past malloc's threshold — only fed the export worker's GC.
   */
  private readonly out = new ProtobufWriter(64 * 1024);

  constructor(resource: Resource, scope: InstrumentationScope) {
    this.resource = encodeResource(resource);
    this.scope = encodeScope(scope);
  }

  /** The request's bytes, valid until the next call (the transport copies them at once). */
  serializeRequest(records: readonly EncodedLogRecord[]): Uint8Array | undefined {
    let scopeLogs = this.scope.length;
    for (const record of records) scopeLogs += 1 + varintSize(record.encoded.length) + record.encoded.length;
    const resourceLogs = this.resource.length + 1 + varintSize(scopeLogs) + scopeLogs;
    const out = this.out;
    out.reset();
    out.ensure(1 + varintSize(resourceLogs) + resourceLogs);
    out.tag(1, WIRE_LENGTH); // ExportLogsServiceRequest.resource_logs
    out.varint(resourceLogs);
    out.raw(this.resource);
    out.tag(2, WIRE_LENGTH); // ResourceLogs.scope_logs
    out.varint(scopeLogs);
    out.raw(this.scope);
    for (const record of records) {
      out.tag(2, WIRE_LENGTH); // ScopeLogs.log_records
      out.lengthPrefixed(record.encoded);
    }
    return out.bytes.subarray(0, out.pos);
  }
}
