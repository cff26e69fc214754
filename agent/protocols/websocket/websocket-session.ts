/**
 * A connection after `101 Switching Protocols` / `Upgrade: websocket`: both
 * directions' frames, reassembled into messages (fragments and interleaved
 * control frames handled), each text or binary message emitted once, with
 * its direction and sender.
 */
import * as zlib from 'node:zlib';
import { Direction, type ConnectionFacts } from '../../capture/captured-event';
import type { WebSocketMessage } from '../../exchange/websocket-message';
import type { RecordSink } from '../protocol';
import type { WebSocketStats } from './websocket-stats';
import { FrameParser, Opcode, type FrameEvents } from './frame-parser';

export interface WebSocketSessionOptions {
  /** Payload bytes kept per message. */
  readonly captureBytes: number;
  /** Compressed bytes kept per message to inflate from (permessage-deflate). */
  readonly maxCompressedBytes: number;
  /** Most bytes one inflate may produce. */
  readonly maxInflatedBytes: number;
}

const EMPTY = new Uint8Array(0);
/** The tail permessage-deflate strips from each message (RFC 7692 §7.2.2). */
const DEFLATE_TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

/** One direction's message being assembled. */
class MessageAssembly {
  active = false;
  type: 'text' | 'binary' = 'text';
  frames = 0;
  length = 0;
  masked = false;
  compressed = false;
  /** Bytes were lost: what is kept stops at the hole. */
  lost = false;
  startNs = 0n;
  endNs = 0n;
  tid = 0;
  kept: Uint8Array = EMPTY;
  keptLength = 0;
  /** The current frame is a data frame of this message (not a control frame, not an orphan continuation). */
  frameIsData = false;

  reset(type: 'text' | 'binary', compressed: boolean, startNs: bigint, tid: number): void {
    this.active = true;
    this.type = type;
    this.frames = 0;
    this.length = 0;
    this.masked = false;
    this.compressed = compressed;
    this.lost = false;
    this.startNs = startNs;
    this.endNs = startNs;
    this.tid = tid;
    this.kept = EMPTY;
    this.keptLength = 0;
  }
}

export class WebSocketSession implements FrameEvents {
  private readonly egress: FrameParser;
  private readonly ingress: FrameParser;
  private readonly egressMessage = new MessageAssembly();
  private readonly ingressMessage = new MessageAssembly();
  private lastNs = 0n;

  constructor(
    private readonly connection: ConnectionFacts,
    private readonly sink: RecordSink,
    private readonly side: 'client' | 'server',
    /** Target of the upgrade request. */
    private readonly target: string,
    private readonly options: WebSocketSessionOptions,
    private readonly stats: WebSocketStats,
  ) {
    this.egress = new FrameParser(this, stats);
    this.ingress = new FrameParser(this, stats);
  }

  push(
    direction: Direction,
    bytes: Uint8Array,
    start: number,
    end: number,
    timestampNs: bigint,
    tid: number,
    gapBefore: number,
  ): void {
    this.lastNs = timestampNs;
    const parser = direction === Direction.Egress ? this.egress : this.ingress;
    parser.push(bytes, start, end, timestampNs, tid, gapBefore);
  }

  /** The connection ended: messages still open are emitted incomplete. */
  close(nowNs: bigint): void {
    const endNs = this.lastNs > 0n ? this.lastNs : nowNs;
    this.flushOpen(Direction.Egress, this.egressMessage, endNs);
    this.flushOpen(Direction.Ingress, this.ingressMessage, endNs);
  }

  onFrameStart(parser: FrameParser): void {
    const message = this.assemblyOf(parser);
    const opcode = parser.opcode as Opcode;
    if (opcode >= Opcode.Close) {
      this.stats.controlFrames++;
      message.frameIsData = false;
      return;
    }
    if (opcode === Opcode.Continuation) {
      // A continuation without a start: the capture began inside a fragmented message.
      message.frameIsData = message.active;
    } else {
      if (message.active) this.emit(parser === this.egress ? Direction.Egress : Direction.Ingress, message, false);
      message.reset(opcode === Opcode.Text ? 'text' : 'binary', parser.rsv1, parser.frameStartNs, parser.frameTid);
      message.frameIsData = true;
    }
    if (message.frameIsData) {
      message.frames++;
      message.length += parser.length;
      if (parser.masked) message.masked = true;
    }
  }

  onPayload(parser: FrameParser, bytes: Uint8Array, start: number, end: number): void {
    const message = this.assemblyOf(parser);
    if (!message.frameIsData || message.lost) return;
    const limit = message.compressed
      ? Math.max(this.options.maxCompressedBytes, this.options.captureBytes)
      : this.options.captureBytes;
    const take = Math.min(end - start, limit - message.keptLength);
    if (take <= 0) return;
    const needed = message.keptLength + take;
    if (needed > message.kept.length) {
      const grown = new Uint8Array(
        Math.min(limit, Math.max(needed, message.kept.length * 2, Math.min(parser.length, limit))),
      );
      grown.set(message.kept.subarray(0, message.keptLength));
      message.kept = grown;
    }
    const kept = message.kept;
    let at = message.keptLength;
    if (parser.masked) {
      const key = parser.maskKey;
      let offset = parser.payloadOffset;
      for (let i = start; i < start + take; i++) kept[at++] = (bytes[i] as number) ^ (key[offset++ & 3] as number);
    } else {
      kept.set(bytes.subarray(start, start + take), at);
    }
    message.keptLength = needed;
  }

  onPayloadLost(parser: FrameParser): void {
    const message = this.assemblyOf(parser);
    if (message.frameIsData) message.lost = true;
  }

  onFrameEnd(parser: FrameParser): void {
    const message = this.assemblyOf(parser);
    if (!message.frameIsData) return;
    message.endNs = this.lastNs;
    if (parser.fin) this.emit(parser === this.egress ? Direction.Egress : Direction.Ingress, message, true);
  }

  onStop(parser: FrameParser): void {
    const direction = parser === this.egress ? Direction.Egress : Direction.Ingress;
    this.flushOpen(direction, this.assemblyOf(parser), this.lastNs);
  }

  private assemblyOf(parser: FrameParser): MessageAssembly {
    return parser === this.egress ? this.egressMessage : this.ingressMessage;
  }

  private flushOpen(direction: Direction, message: MessageAssembly, endNs: bigint): void {
    if (!message.active) return;
    message.endNs = endNs;
    this.emit(direction, message, false);
  }

  private emit(direction: Direction, message: MessageAssembly, complete: boolean): void {
    message.active = false;
    message.frameIsData = false;
    const capture = this.options.captureBytes;
    let payload = message.kept.subarray(0, message.keptLength);
    let truncated = message.lost || message.keptLength < message.length;
    let inflated = false;
    if (message.compressed) {
      const output = complete && !truncated ? this.inflate(payload) : undefined;
      if (output !== undefined) {
        inflated = true;
        truncated = output.length > capture;
        payload = output.subarray(0, capture);
      } else {
        this.stats.inflateFailures++;
        truncated = true;
        payload = payload.subarray(0, capture);
      }
    }
    this.stats.messages++;
    const record: WebSocketMessage = {
      kind: 'websocket.message',
      connection: this.connection,
      side: this.side,
      direction,
      sender: (direction === Direction.Egress) === (this.side === 'client') ? 'client' : 'server',
      type: message.type,
      payload,
      length: message.length,
      truncated,
      frames: message.frames,
      masked: message.masked,
      compressed: message.compressed,
      inflated,
      complete: complete && !message.lost,
      target: this.target,
      timestampNs: message.startNs,
      endNs: message.endNs,
      tid: message.tid,
    };
    // The kept buffer now belongs to the record.
    message.kept = EMPTY;
    message.keptLength = 0;
    this.sink.emit(record);
  }

  /**
   * Inflates a permessage-deflate message with a fresh window: right for the
   * first message and for `no_context_takeover`; a message that refers to an
   * earlier one fails and stays compressed.
   */
  private inflate(compressed: Uint8Array): Buffer | undefined {
    const input = new Uint8Array(compressed.length + DEFLATE_TAIL.length);
    input.set(compressed);
    input.set(DEFLATE_TAIL, compressed.length);
    try {
      return zlib.inflateRawSync(input, {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
        maxOutputLength: this.options.maxInflatedBytes,
      });
    } catch {
      return undefined;
    }
  }
}
