/**
 * One JSON object per line per record (fields documented in docs/output.md).
 * Payloads travel as `payload` (UTF-8 text) when printable, else as
 * `payload_base64`; the `hex` option always uses `payload_hex`.
 */
import { directionName, type DirectionName } from '../../capture/captured-event';
import type { OutputRecord, RawMessage } from '../../exchange/output-record';
import type { RecordSink } from '../../protocols/protocol';
import { connectionJson, type JsonConnection } from './connection-fields';
import { jsonPayload, type JsonPayload } from './json-payload';
import {
  exchangeToJson,
  webSocketMessageToJson,
  type JsonExchange,
  type JsonWebSocketMessage,
} from './exchange-format';
import { http2ExchangeToJson, type JsonHttp2Exchange } from './http2-exchange-format';
import { formatRfc3339Nanos } from './rfc3339';
import { dbQueryToJson, shellCommandToJson, type JsonDbQuery, type JsonShellCommand } from './source-record-format';
import type { TextStream } from './stdout-output';

export interface JsonLinesWriterOptions {
  /** Default: process.stdout. */
  readonly stream?: TextStream;
  /** Encode every payload as `payload_hex`. Default false. */
  readonly hex?: boolean;
}

export type JsonRawRecord = {
  readonly time: string;
  readonly kind: 'raw';
  readonly tid: number;
  readonly direction: DirectionName;
  readonly length: number;
  readonly captured_length: number;
  readonly truncated: boolean;
} & JsonConnection &
  JsonPayload;

export type JsonRecord =
  JsonRawRecord | JsonExchange | JsonWebSocketMessage | JsonHttp2Exchange | JsonShellCommand | JsonDbQuery;

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
    case 'http2.exchange':
      return http2ExchangeToJson(record, { hex });
    case 'shell.command':
      return shellCommandToJson(record);
    case 'db.query':
      return dbQueryToJson(record);
    default: {
      // A new record kind must get a mapping here.
      const unhandled: never = record;
      throw new TypeError(`json writer: unknown record kind ${(unhandled as { kind: string }).kind}`);
    }
  }
}

function rawToJson(message: RawMessage, hex: boolean): JsonRawRecord {
  // pid then tid first, as documented.
  const { pid, ...connection } = connectionJson(message.connection);
  return {
    time: formatRfc3339Nanos(message.timestampNs),
    kind: 'raw',
    pid,
    tid: message.connection.tid,
    ...connection,
    direction: directionName(message.direction),
    length: message.length,
    captured_length: message.payload.length,
    truncated: message.truncated,
    ...jsonPayload(message.payload, hex, message.truncated),
  };
}
