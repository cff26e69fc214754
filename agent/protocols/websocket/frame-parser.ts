/**
 * The streaming WebSocket frame parser of one direction (RFC 6455 §5.2):
 * FIN, RSV1, opcode, mask bit, 7/16/64-bit payload length, masking key.
 * Payload bytes are handed on still masked, with their offset in the frame,
 * so only the bytes that are kept get unmasked.
 *
 * Frames carry no sync marker: a protocol error or a gap the payload length
 * cannot bridge stops the direction for good.
 */
import type { WebSocketStats } from './websocket-stats';

export const enum Opcode {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xa,
}

export interface FrameEvents {
  /** Header parsed; read the frame's fields from the parser. */
  onFrameStart(parser: FrameParser): void;
  /** Payload bytes, still masked; `parser.payloadOffset` is the offset of `bytes[start]` in the frame. */
  onPayload(parser: FrameParser, bytes: Uint8Array, start: number, end: number): void;
  /** Payload bytes lost in capture (the frame length bridged them). */
  onPayloadLost(parser: FrameParser, length: number): void;
  onFrameEnd(parser: FrameParser): void;
  /** The direction stopped (protocol error or unbridgeable gap). */
  onStop(parser: FrameParser): void;
}

const enum State {
  Header = 0,
  Payload = 1,
  Stopped = 2,
}

export class FrameParser {
  fin = false;
  rsv1 = false;
  opcode = 0;
  masked = false;
  /** Payload length of the current frame. */
  length = 0;
  readonly maskKey = new Uint8Array(4);
  /** Offset in the current frame's payload of the next payload byte. */
  payloadOffset = 0;
  /** Time and thread of the chunk that carried the current frame's first byte. */
  frameStartNs = 0n;
  frameTid = 0;

  private state = State.Header;
  private readonly header = new Uint8Array(14);
  private headerLength = 0;
  private headerNeeded = 2;
  private remaining = 0;

  constructor(
    private readonly events: FrameEvents,
    private readonly stats: WebSocketStats,
  ) {}

  get stopped(): boolean {
    return this.state === State.Stopped;
  }

  push(bytes: Uint8Array, start: number, end: number, timestampNs: bigint, tid: number, gapBefore: number): void {
    if (this.state === State.Stopped) return;
    if (gapBefore > 0) {
      if (this.state === State.Payload && gapBefore < this.remaining) {
        this.remaining -= gapBefore;
        this.events.onPayloadLost(this, gapBefore);
        this.payloadOffset += gapBefore;
      } else if (this.state === State.Payload && gapBefore === this.remaining) {
        this.events.onPayloadLost(this, gapBefore);
        this.remaining = 0;
        this.endFrame();
      } else {
        this.stats.desyncs++;
        this.stop();
        return;
      }
    }
    let pos = start;
    while (pos < end) {
      if (this.state === State.Header) {
        if (this.headerLength === 0) {
          this.frameStartNs = timestampNs;
          this.frameTid = tid;
        }
        while (this.headerLength < this.headerNeeded && pos < end)
          this.header[this.headerLength++] = bytes[pos++] as number;
        if (this.headerLength < this.headerNeeded) return;
        if (this.headerNeeded === 2) {
          const second = this.header[1] as number;
          const short = second & 0x7f;
          this.headerNeeded = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
          if (this.headerLength < this.headerNeeded) continue;
        }
        if (!this.beginFrame()) return;
      } else if (this.state === State.Payload) {
        const available = end - pos;
        const take = available < this.remaining ? available : this.remaining;
        this.events.onPayload(this, bytes, pos, pos + take);
        pos += take;
        this.payloadOffset += take;
        this.remaining -= take;
        if (this.remaining === 0) this.endFrame();
      } else {
        return;
      }
    }
  }

  /** Decodes the complete header; false when it breaks the protocol. */
  private beginFrame(): boolean {
    const h = this.header;
    const first = h[0] as number;
    const second = h[1] as number;
    this.fin = (first & 0x80) !== 0;
    this.rsv1 = (first & 0x40) !== 0;
    this.opcode = first & 0x0f;
    this.masked = (second & 0x80) !== 0;
    let length = second & 0x7f;
    let at = 2;
    if (length === 126) {
      length = ((h[2] as number) << 8) | (h[3] as number);
      at = 4;
    } else if (length === 127) {
      const high =
        (((h[2] as number) << 24) >>> 0) + ((h[3] as number) << 16) + ((h[4] as number) << 8) + (h[5] as number);
      const low =
        (((h[6] as number) << 24) >>> 0) + ((h[7] as number) << 16) + ((h[8] as number) << 8) + (h[9] as number);
      // The most significant bit must be 0; beyond 2^53 no real frame exists.
      if (high > 0x1fffff) return this.protocolError();
      length = high * 0x1_0000_0000 + low;
      at = 10;
    }
    if (this.masked) this.maskKey.set(h.subarray(at, at + 4));
    const opcode = this.opcode;
    const control = opcode >= 0x8;
    if ((opcode > 0x2 && opcode < 0x8) || opcode > 0xa) return this.protocolError();
    if (control && (!this.fin || length > 125)) return this.protocolError();
    this.length = length;
    this.remaining = length;
    this.payloadOffset = 0;
    this.headerLength = 0;
    this.headerNeeded = 2;
    this.state = State.Payload;
    this.stats.frames++;
    this.events.onFrameStart(this);
    if (length === 0) this.endFrame();
    return true;
  }

  private endFrame(): void {
    this.state = State.Header;
    this.events.onFrameEnd(this);
  }

  private protocolError(): false {
    this.stats.protocolErrors++;
    this.stop();
    return false;
  }

  private stop(): void {
    this.state = State.Stopped;
    this.events.onStop(this);
  }
}
