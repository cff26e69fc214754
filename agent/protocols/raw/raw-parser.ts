/**
 * The fallback parser, streaming: one direction's bytes,
 * uninterrupted by the other direction, make one RawMessage. The message ends
 * when the direction switches, when the connection goes idle, or at close.
 */
import { Direction, type ConnectionFacts } from '../../capture/captured-event';
import type { RawMessage } from '../../exchange/output-record';
import type { ProtocolParser, RecordSink, StreamChunk } from '../protocol';

export class RawParser implements ProtocolParser {
  // The message being accumulated; `length === 0` means none.
  private direction = Direction.Egress;
  private timestampNs = 0n;
  private tid = 0;
  /** Copies of the kept bytes (chunks are views into a batch that is reused). */
  private parts: Uint8Array[] = [];
  private kept = 0;
  private length = 0;
  private truncated = false;

  /**
   * @param truncateBytes most payload bytes kept per message; 0 keeps everything.
   */
  constructor(
    private readonly connection: ConnectionFacts,
    private readonly sink: RecordSink,
    private readonly truncateBytes: number,
  ) {}

  push(chunk: StreamChunk): void {
    const bytes = chunk.bytes;
    if (bytes.length === 0) return;
    if (this.length > 0 && chunk.direction !== this.direction) this.emit();
    if (this.length === 0) {
      this.direction = chunk.direction;
      this.timestampNs = chunk.timestampNs;
      this.tid = chunk.tid;
      // Lost bytes before the first chunk most likely ended the previous message;
      // flag this one but do not count them.
      this.truncated = chunk.gapBefore > 0;
    } else if (chunk.gapBefore > 0) {
      // Lost inside the message: they were part of it.
      this.truncated = true;
      this.length += chunk.gapBefore;
    }
    this.length += bytes.length;
    const room = this.truncateBytes === 0 ? bytes.length : Math.min(bytes.length, this.truncateBytes - this.kept);
    if (room < bytes.length) this.truncated = true;
    if (room > 0) {
      const copy = new Uint8Array(room);
      copy.set(room === bytes.length ? bytes : bytes.subarray(0, room));
      this.parts.push(copy);
      this.kept += room;
    }
  }

  idle(): void {
    this.emit();
  }

  close(): void {
    this.emit();
  }

  private emit(): void {
    if (this.length === 0) return;
    const connection = this.connection;
    const message: RawMessage = {
      kind: 'raw',
      // The thread is an attribute of the message: report the one that made the first call.
      connection: this.tid === connection.tid ? connection : { ...connection, tid: this.tid },
      direction: this.direction,
      timestampNs: this.timestampNs,
      payload: this.parts.length === 1 ? (this.parts[0] as Uint8Array) : concat(this.parts, this.kept),
      length: this.length,
      truncated: this.truncated,
    };
    this.parts = [];
    this.kept = 0;
    this.length = 0;
    this.truncated = false;
    this.sink.emit(message);
  }
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
