/**
 * Human-readable records on a text stream, the console format:
 *
 *   PID:4242, Comm:curl, Src:127.0.0.1:50000, Dest:127.0.0.1:443, TID:4242, FD:5, Dir:egress, Len:18
 *   GET / HTTP/1.1
 *   (blank line)
 *
 * Src is the captured process's own address, Dest its peer. The payload is
 * printed as text when it is printable UTF-8, else (or with `hex`) as a hex dump.
 */
import { directionName } from '../../capture/captured-event';
import type { OutputRecord, RawMessage } from '../../exchange/output-record';
import type { RecordSink } from '../../protocols/protocol';
import { formatExchangeText, formatWebSocketText } from './exchange-format';
import { formatHttp2ExchangeText } from './http2-exchange-format';
import { processLine } from './connection-fields';
import { hexDump } from './hex-dump';
import { isPrintableText, bufferView } from './printable-text';
import { formatDbQueryText, formatShellCommandText } from './source-record-format';
import type { TextStream } from './stdout-output';

export interface ConsoleWriterOptions {
  /** Default: process.stdout. */
  readonly stream?: TextStream;
  /** Always print payloads as hex dumps. Default false. */
  readonly hex?: boolean;
}

export class ConsoleWriter implements RecordSink {
  private readonly stream: TextStream;
  private readonly hex: boolean;

  constructor(options: ConsoleWriterOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.hex = options.hex ?? false;
  }

  emit(record: OutputRecord): void {
    this.stream.write(formatConsoleRecord(record, this.hex));
  }
}

/** One record as console text, ending with a blank line. */
export function formatConsoleRecord(record: OutputRecord, hex: boolean): string {
  switch (record.kind) {
    case 'raw':
      return formatRawMessage(record, hex);
    case 'http1.exchange':
      return formatExchangeText(record, { hex }) + '\n';
    case 'websocket.message':
      return formatWebSocketText(record, { hex }) + '\n';
    case 'http2.exchange':
      return formatHttp2ExchangeText(record, { hex }) + '\n';
    case 'shell.command':
      return formatShellCommandText(record);
    case 'db.query':
      return formatDbQueryText(record);
    default: {
      // A new record kind must get a format here.
      const unhandled: never = record;
      throw new TypeError(`console writer: unknown record kind ${(unhandled as { kind: string }).kind}`);
    }
  }
}

function formatRawMessage(message: RawMessage, hex: boolean): string {
  const c = message.connection;
  let header = `${processLine(c)} TID:${c.tid}, FD:${c.fd}, Dir:${directionName(message.direction)}, Len:${message.length}`;
  if (message.payload.length !== message.length) header += `, Captured:${message.payload.length}`;
  if (message.truncated) header += ', Truncated';
  return `${header}\n${formatPayload(message.payload, hex, message.truncated)}\n`;
}

/** Text (newline-terminated) when printable, else a hex dump. */
export function formatPayload(payload: Uint8Array, hex: boolean, truncated: boolean): string {
  if (payload.length === 0) return '';
  if (hex || !isPrintableText(payload, truncated)) return hexDump(payload);
  const text = bufferView(payload).toString('utf8');
  return text.endsWith('\n') ? text : text + '\n';
}
