/**
 * One JSON object per line per record (fields documented in docs/output.md).
 * Payloads travel as `payload` (UTF-8 text) when printable, else as
 * `payload_base64`; the `hex` option always uses `payload_hex`.
 */
import type { OutputRecord, RawMessage } from '../exchange/output-record';
import type { RecordSink } from '../protocols/protocol';
import { directionName, type DirectionName } from './direction-name';
import { exchangeToJson, webSocketMessageToJson, type JsonExchange, type JsonWebSocketMessage } from './exchange-format';
import { bufferView } from './payload-bytes';
import { isPrintableText } from './printable-text';
import { formatRfc3339Nanos } from './rfc3339';
import type { TextStream } from './text-stream';

export interface JsonLinesWriterOptions {
  /** Default: process.stdout. */
  readonly stream?: TextStream;
  /** Encode every payload as `payload_hex`. Default false. */
  readonly hex?: boolean;
}

/** Exactly one of the payload fields is present. */
export type JsonPayload =
  | { readonly payload: string }
  | { readonly payload_base64: string }
  | { readonly payload_hex: string };

export type JsonRawRecord = {
  readonly time: string;
  readonly kind: 'raw';
  readonly pid: number;
  readonly tid: number;
  readonly comm: string;
  readonly uid: number;
  readonly fd: number;
  /** Hex kernel socket address, null when unknown. */
  readonly sock_id: string | null;
  /** The captured process's own address; null when the tuple is unknown. */
  readonly src_addr: string | null;
  readonly src_port: number | null;
  /** Its peer. */
  readonly dst_addr: string | null;
  readonly dst_port: number | null;
  readonly direction: DirectionName;
  readonly length: number;
  readonly captured_length: number;
  readonly truncated: boolean;
  readonly tls_library: string;
} & JsonPayload;

export type JsonRecord = JsonRawRecord | JsonExchange | JsonWebSocketMessage;

export class JsonLinesWriter implements RecordSink {
  private readonly stream: TextStream;
  private readonly hex: boolean;

  constructor(options: JsonLinesWriterOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.hex = options.hex ?? false;
  }

  emit(record: OutputRecord): void {
    this.stream.write(JSON.stringify(toJsonRecord(record, this.hex)) + '\n');
  }
}

export function toJsonRecord(record: OutputRecord, hex: boolean): JsonRecord {
  switch (record.kind) {
    case 'raw':
      return rawToJson(record, hex);
    case 'http1.exchange':
      return exchangeToJson(record, { hex });
    case 'websocket.message':
      return webSocketMessageToJson(record, { hex });
    default: {
      // A new record kind must get a mapping here.
      const unhandled: never = record;
      throw new TypeError(`json writer: unknown record kind ${(unhandled as { kind: string }).kind}`);
    }
  }
}

function rawToJson(message: RawMessage, hex: boolean): JsonRawRecord {
  const c = message.connection;
  const known = c.ipVersion !== 0;
  return {
    time: formatRfc3339Nanos(message.timestampNs),
    kind: 'raw',
    pid: c.pid,
    tid: c.tid,
    comm: c.comm,
    uid: c.uid,
    fd: c.fd,
    sock_id: c.sockId === 0n ? null : `0x${c.sockId.toString(16)}`,
    src_addr: known ? c.localAddress : null,
    src_port: known ? c.localPort : null,
    dst_addr: known ? c.remoteAddress : null,
    dst_port: known ? c.remotePort : null,
    direction: directionName(message.direction),
    length: message.length,
    captured_length: message.payload.length,
    truncated: message.truncated,
    tls_library: c.tlsLibrary,
    ...jsonPayload(message.payload, hex, message.truncated),
  };
}

export function jsonPayload(payload: Uint8Array, hex: boolean, truncated: boolean): JsonPayload {
  const buffer = bufferView(payload);
  if (hex) return { payload_hex: buffer.toString('hex') };
  if (isPrintableText(payload, truncated)) return { payload: buffer.toString('utf8') };
  return { payload_base64: buffer.toString('base64') };
}
