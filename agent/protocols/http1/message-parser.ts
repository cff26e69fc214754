/**
 * The streaming parser of one direction of an HTTP/1 connection: heads,
 * Content-Length / chunked / close-delimited bodies, trailers. Fed chunks of
 * any size (one byte at a time gives the same events as the whole stream at
 * once); reports through `MessageEvents`. A head split across chunks is
 * copied into one buffer; a head inside one chunk is decoded in place.
 *
 * After garbage or a capture gap it resynchronises: it skips to the next
 * line that starts like a message (a registered method, or `HTTP/1.x d`).
 */
import type { Direction } from '../../capture/captured-event';
import type { HttpHeader } from '../../exchange/http-headers';
import { Framing } from './body-framing';
import type { Http1ParseError, Http1Stats } from './http1-stats';
import { latin1 } from './latin1';
import { parseHead, parseTrailers, type MessageHead } from './message-head';
import { Expect, StartMatch, matchMessageStart } from './message-start';

export const enum ParserState {
  /** Looking for a plausible message start (connection start, after garbage, after a gap). */
  Resync = 0,
  /** Between messages. */
  Start = 1,
  Head = 2,
  BodyLength = 3,
  ChunkSize = 4,
  ChunkData = 5,
  ChunkDataEnd = 6,
  Trailers = 7,
  UntilClose = 8,
  /** Waiting for the other side to accept or refuse an upgrade / CONNECT: bytes are kept. */
  Hold = 9,
  /** The connection switched protocols: bytes go to `onSwitched`. */
  Passthrough = 10,
}

/** A message could not be followed: a parse error, or bytes lost where the framing cannot bridge them. */
export type BreakReason = Http1ParseError | 'capture-gap';

export interface MessageEvents {
  /** A head was parsed: say how its body is framed. */
  onHead(parser: MessageParser, head: MessageHead): Framing;
  onBody(parser: MessageParser, bytes: Uint8Array, start: number, end: number): void;
  /** Body bytes lost in capture that the framing bridged. */
  onBodyLost(parser: MessageParser, length: number): void;
  onTrailers(parser: MessageParser, trailers: HttpHeader[]): void;
  /** The message ended as framed (for Framing.Switch, right after its head). */
  onEnd(parser: MessageParser): void;
  /**
   * The message being parsed broke (`afterHead`: its head had been reported),
   * or, with `afterHead` false, a message start was lost or malformed.
   */
  onBroken(parser: MessageParser, reason: BreakReason, afterHead: boolean): void;
  /** Bytes after a protocol switch (`gapBefore` bytes of them lost first). */
  onSwitched(parser: MessageParser, bytes: Uint8Array, start: number, end: number, gapBefore: number): void;
}

export interface MessageParserLimits {
  readonly maxHeadBytes: number;
  readonly maxHeaders: number;
  readonly maxHeldBytes: number;
}

interface HeldChunk {
  readonly bytes: Uint8Array;
  readonly timestampNs: bigint;
  readonly tid: number;
  readonly gapBefore: number;
}

const CR = 13;
const LF = 10;
const SP = 32;
const TAB = 9;
const SEMICOLON = 59;
const EMPTY = new Uint8Array(0);
/**
 * The head accumulator of every parser while none of its heads spans chunks (most never do).
 * With the stash allocated lazily too, an idle keep-alive connection holds 0.8 KiB less heap
 * (10k connections: 2.3 → 1.6 KiB each, memory bench).
 */
const EMPTY_ACC = Buffer.alloc(0);
/** Longest chunk-size line (size and extensions) accepted. */
const MAX_CHUNK_LINE = 4096;
/** Bytes enough to settle whether a message starts (`UNSUBSCRIBE ` is 12). */
const STASH_SIZE = 16;

/** Hex digit values; -1 for other bytes. */
const HEX_VALUE: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < 10; i++) table[0x30 + i] = i;
  for (let i = 0; i < 6; i++) {
    table[0x41 + i] = 10 + i;
    table[0x61 + i] = 10 + i;
  }
  return table;
})();

export class MessageParser {
  state: ParserState = ParserState.Resync;
  /** Which messages this direction may carry; the connection narrows it once the roles are known. */
  expect: Expect = Expect.Any;
  /** The chunk being parsed: its time and thread. */
  chunkNs = 0n;
  chunkTid = 0;
  /** First byte of the current message. */
  messageStartNs = 0n;
  messageTid = 0;
  /** Body framing bytes of the current message (chunk lines, CRLFs, trailers). */
  framingBytes = 0;
  /** The current message's head was reported and its end not yet. */
  inMessage = false;
  /** Whether the current message started like a request (true) or a response (false); undefined before its start was checked. */
  startedRequest: boolean | undefined = undefined;

  /** After a well-framed message any method token may start the next; otherwise only registered ones. */
  private lenient = false;
  private remaining = 0;

  // Head and trailer accumulation (only when a head spans chunks).
  private acc: Buffer = EMPTY_ACC;
  private accLength = 0;
  /** Current line so far: 0 empty, 1 a lone CR, 2 content. */
  private lineState = 0;
  private startChecked = false;

  // Chunk-size line.
  private chunkSize = 0;
  private chunkDigits = 0;
  private chunkInExtension = false;
  private chunkLineBytes = 0;
  private crSeen = false;

  // Resync.
  private atLineStart = true;
  /** Allocated the first time a message start is cut by a chunk end. */
  private stash: Uint8Array | null = null;
  private stashLength = 0;
  private stashNs = 0n;
  private stashTid = 0;
  private skipped = 0;

  // Hold.
  private held: HeldChunk[] = [];
  private heldBytes = 0;
  /** Bytes dropped over the hold limit, not yet attached to a held chunk. */
  private heldGap = 0;

  constructor(
    readonly direction: Direction,
    private readonly events: MessageEvents,
    private readonly limits: MessageParserLimits,
    private readonly stats: Http1Stats,
  ) {}

  push(bytes: Uint8Array, timestampNs: bigint, tid: number, gapBefore: number): void {
    this.chunkNs = timestampNs;
    this.chunkTid = tid;
    if (gapBefore > 0) {
      this.stats.gaps++;
      this.stats.gapBytes += gapBefore;
      if (this.state === ParserState.Hold) {
        this.hold(bytes, timestampNs, tid, gapBefore);
        return;
      }
      if (this.state === ParserState.Passthrough) {
        this.events.onSwitched(this, bytes, 0, bytes.length, gapBefore);
        return;
      }
      this.gap(gapBefore);
    }
    const end = bytes.length;
    let pos = 0;
    while (pos < end) {
      switch (this.state) {
        case ParserState.Resync:
          pos = this.resync(bytes, pos, end);
          break;
        case ParserState.Start: {
          const byte = bytes[pos] as number;
          // Empty lines between messages are tolerated (RFC 9112 §2.2).
          if (byte === CR || byte === LF) {
            pos++;
            break;
          }
          this.beginMessage(timestampNs, tid);
          break;
        }
        case ParserState.Head:
        case ParserState.Trailers:
          pos = this.head(bytes, pos, end);
          break;
        case ParserState.BodyLength:
        case ParserState.ChunkData: {
          const available = end - pos;
          const take = available < this.remaining ? available : this.remaining;
          this.events.onBody(this, bytes, pos, pos + take);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            if (this.state === ParserState.BodyLength) this.finishMessage();
            else {
              this.state = ParserState.ChunkDataEnd;
              this.crSeen = false;
            }
          }
          break;
        }
        case ParserState.ChunkSize:
          pos = this.chunkSizeLine(bytes, pos, end);
          break;
        case ParserState.ChunkDataEnd: {
          const byte = bytes[pos++] as number;
          this.framingBytes++;
          if (byte === CR && !this.crSeen) this.crSeen = true;
          else if (byte === LF) this.startChunk();
          else this.broken('invalid-chunk', true);
          break;
        }
        case ParserState.UntilClose:
          this.events.onBody(this, bytes, pos, end);
          pos = end;
          break;
        case ParserState.Hold:
          this.hold(pos === 0 ? bytes : bytes.subarray(pos), timestampNs, tid, 0);
          pos = end;
          break;
        case ParserState.Passthrough:
          this.events.onSwitched(this, bytes, pos, end, 0);
          pos = end;
          break;
      }
    }
  }

  /** The stream ended: a close-delimited body ends here. Returns true when that completed a message. */
  endOfStream(): boolean {
    if (this.state !== ParserState.UntilClose) return false;
    this.finishMessage();
    return true;
  }

  /** Keep this direction's bytes until `release` or `switchProtocols` (after an upgrade or CONNECT request). */
  startHold(): void {
    this.state = ParserState.Hold;
  }

  /** The upgrade was refused: parse the kept bytes as HTTP. */
  release(): void {
    if (this.state !== ParserState.Hold) return;
    this.state = ParserState.Start;
    const held = this.takeHeld();
    for (const chunk of held) this.push(chunk.bytes, chunk.timestampNs, chunk.tid, chunk.gapBefore);
  }

  /** The connection switched protocols: kept and later bytes go to `onSwitched`. */
  switchProtocols(): void {
    const wasHolding = this.state === ParserState.Hold;
    this.state = ParserState.Passthrough;
    if (!wasHolding) return;
    for (const chunk of this.takeHeld()) {
      this.chunkNs = chunk.timestampNs;
      this.chunkTid = chunk.tid;
      this.events.onSwitched(this, chunk.bytes, 0, chunk.bytes.length, chunk.gapBefore);
    }
  }

  private takeHeld(): HeldChunk[] {
    const held = this.held;
    if (this.heldGap > 0)
      held.push({ bytes: EMPTY, timestampNs: this.chunkNs, tid: this.chunkTid, gapBefore: this.heldGap });
    this.held = [];
    this.heldBytes = 0;
    this.heldGap = 0;
    return held;
  }

  private hold(bytes: Uint8Array, timestampNs: bigint, tid: number, gapBefore: number): void {
    const take = Math.min(this.limits.maxHeldBytes - this.heldBytes, bytes.length);
    const dropped = bytes.length - take;
    // The chunk is a view valid only during push: copy. Dropped bytes become a gap before the next chunk.
    if (take > 0 || gapBefore > 0) {
      const copy = new Uint8Array(take);
      copy.set(bytes.subarray(0, take));
      this.held.push({ bytes: copy, timestampNs, tid, gapBefore: gapBefore + this.heldGap });
      this.heldGap = 0;
      this.heldBytes += take;
    }
    if (dropped > 0) {
      this.stats.heldBytesDropped += dropped;
      this.heldGap += dropped;
    }
  }

  private beginMessage(timestampNs: bigint, tid: number): void {
    this.state = ParserState.Head;
    this.messageStartNs = timestampNs;
    this.messageTid = tid;
    this.framingBytes = 0;
    this.accLength = 0;
    this.lineState = 0;
    this.startChecked = false;
    this.startedRequest = undefined;
  }

  /** The start of the current message passed the check: note which kind it is. */
  private started(bytes: Uint8Array, pos: number): void {
    this.startChecked = true;
    // `HTTP/` cannot be a method (`/` is not a token character).
    this.startedRequest = !(
      bytes[pos] === 0x48 &&
      bytes[pos + 1] === 0x54 &&
      bytes[pos + 2] === 0x54 &&
      bytes[pos + 3] === 0x50 &&
      bytes[pos + 4] === 0x2f
    );
  }

  private finishMessage(): void {
    this.state = ParserState.Start;
    this.inMessage = false;
    this.lenient = true;
    // The handler may move the state on (hold after an upgrade request).
    this.events.onEnd(this);
  }

  private broken(reason: BreakReason, afterHead: boolean): void {
    if (reason !== 'capture-gap') this.stats.parseErrors[reason]++;
    this.state = ParserState.Resync;
    this.inMessage = false;
    this.lenient = false;
    this.accLength = 0;
    this.stashLength = 0;
    this.atLineStart = false;
    this.events.onBroken(this, reason, afterHead);
  }

  /** `length` bytes of this direction were lost before the current chunk. */
  private gap(length: number): void {
    switch (this.state) {
      case ParserState.BodyLength:
        if (length < this.remaining) {
          this.remaining -= length;
          this.events.onBodyLost(this, length);
          return;
        } else {
          const rest = length - this.remaining;
          this.events.onBodyLost(this, this.remaining);
          this.remaining = 0;
          this.finishMessage();
          // The message ended inside the gap; what follows it was lost too.
          if (rest > 0 && (this.state as ParserState) === ParserState.Start) this.lostBetweenMessages();
          return;
        }
      case ParserState.ChunkData:
        if (length < this.remaining) {
          this.remaining -= length;
          this.events.onBodyLost(this, length);
          return;
        }
        break;
      case ParserState.UntilClose:
        this.events.onBodyLost(this, length);
        return;
      case ParserState.Start:
      case ParserState.Resync:
        this.lostBetweenMessages();
        return;
      default:
        break;
    }
    this.broken('capture-gap', this.inMessage);
    this.atLineStart = true;
  }

  /** Bytes lost where a message would start: look for the next start, beginning with the next byte. */
  private lostBetweenMessages(): void {
    this.state = ParserState.Resync;
    this.lenient = false;
    this.stashLength = 0;
    this.atLineStart = true;
    this.events.onBroken(this, 'capture-gap', false);
  }

  private stashBuffer(): Uint8Array {
    return (this.stash ??= new Uint8Array(STASH_SIZE));
  }

  /** Skips to the next line that starts a message. */
  private resync(bytes: Uint8Array, pos: number, end: number): number {
    if (this.stashLength > 0) {
      // A candidate start was cut by the previous chunk's end: settle it with the next bytes.
      const stash = this.stashBuffer();
      const stashed = this.stashLength;
      const take = Math.min(STASH_SIZE - stashed, end - pos);
      const probe = new Uint8Array(stashed + take);
      probe.set(stash.subarray(0, stashed));
      probe.set(bytes.subarray(pos, pos + take), stashed);
      const match = matchMessageStart(probe, 0, probe.length, this.expect, true);
      if (match === StartMatch.Yes) {
        this.synced();
        this.beginMessage(this.stashNs, this.stashTid);
        this.append(stash, 0, stashed);
        this.lineState = 2;
        this.stashLength = 0;
        return pos;
      }
      if (match === StartMatch.NeedMore && take === end - pos) {
        stash.set(bytes.subarray(pos, end), stashed);
        this.stashLength = stashed + take;
        return end;
      }
      this.skipped += stashed;
      this.stashLength = 0;
      this.atLineStart = false;
    }
    while (pos < end) {
      if (this.atLineStart) {
        const match = matchMessageStart(bytes, pos, end, this.expect, true);
        if (match === StartMatch.Yes) {
          this.synced();
          this.state = ParserState.Start;
          return pos;
        }
        if (match === StartMatch.NeedMore) {
          this.stashBuffer().set(bytes.subarray(pos, end));
          this.stashLength = end - pos;
          this.stashNs = this.chunkNs;
          this.stashTid = this.chunkTid;
          return end;
        }
        this.atLineStart = false;
      }
      let lf = pos;
      while (lf < end && bytes[lf] !== LF) lf++;
      if (lf === end) {
        this.skipped += end - pos;
        return end;
      }
      this.skipped += lf + 1 - pos;
      pos = lf + 1;
      this.atLineStart = true;
    }
    return pos;
  }

  private synced(): void {
    if (this.skipped > 0) {
      this.stats.resyncs++;
      this.stats.bytesSkipped += this.skipped;
      this.skipped = 0;
    }
  }

  /** Head or trailer section: up to and including the blank line. */
  private head(bytes: Uint8Array, pos: number, end: number): number {
    const trailers = this.state === ParserState.Trailers;
    if (!trailers && !this.startChecked && this.accLength === 0) {
      const match = matchMessageStart(bytes, pos, end, this.expect, !this.lenient);
      if (match === StartMatch.No) {
        this.broken(this.misdirected(bytes, pos, end) ? 'unexpected-message' : 'invalid-start-line', false);
        return pos + 1;
      }
      if (match === StartMatch.Yes) this.started(bytes, pos);
    }
    const found = this.scanHeadEnd(bytes, pos, end);
    const stop = found < 0 ? end : found;
    const limit = this.limits.maxHeadBytes;
    if (this.accLength === 0 && found >= 0) {
      // Fast path: the whole head is in this chunk.
      if (found - pos > limit) {
        this.broken('head-too-large', false);
        this.atLineStart = true;
        return found;
      }
      if (trailers && found - pos <= 2) {
        this.framingBytes += found - pos;
        this.finishMessage();
        return found;
      }
      this.completeHead(latin1(bytes, pos, found));
      // A malformed head still ends at a line boundary: the next message may start right here.
      if (this.state === ParserState.Resync) this.atLineStart = true;
      return found;
    }
    if (this.accLength + (stop - pos) > limit) {
      this.broken('head-too-large', trailers || this.inMessage);
      this.atLineStart = found >= 0;
      return stop;
    }
    this.append(bytes, pos, stop);
    if (!trailers && !this.startChecked) {
      const match = matchMessageStart(this.acc, 0, this.accLength, this.expect, !this.lenient);
      if (match === StartMatch.No) {
        const misdirected = this.misdirected(this.acc, 0, this.accLength);
        this.broken(misdirected ? 'unexpected-message' : 'invalid-start-line', false);
        return stop;
      }
      if (match === StartMatch.Yes) this.started(this.acc, 0);
    }
    if (found >= 0) {
      const text = latin1(this.acc, 0, this.accLength);
      this.accLength = 0;
      this.acc = EMPTY_ACC; // a head spanning chunks is rare: do not keep its buffer per connection
      this.completeHead(text);
      if (this.state === ParserState.Resync) this.atLineStart = true;
    }
    return stop;
  }

  /** A message start of the other kind (a request where responses flow, or the reverse). */
  private misdirected(bytes: Uint8Array, pos: number, end: number): boolean {
    return this.expect !== Expect.Any && matchMessageStart(bytes, pos, end, Expect.Any, true) === StartMatch.Yes;
  }

  private append(bytes: Uint8Array, start: number, end: number): void {
    const needed = this.accLength + (end - start);
    if (needed > this.acc.length) {
      const next = Buffer.allocUnsafe(Math.max(needed, this.acc.length * 2, 1024));
      this.acc.copy(next, 0, 0, this.accLength);
      this.acc = next;
    }
    this.acc.set(bytes.subarray(start, end), this.accLength);
    this.accLength = needed;
  }

  /** Index after the LF that ends the blank line, or -1 (line state carried across chunks). */
  private scanHeadEnd(bytes: Uint8Array, pos: number, end: number): number {
    let state = this.lineState;
    let i = pos;
    while (i < end) {
      // Line to line with the engine's own search; only line lengths matter.
      const lf = bytes.indexOf(LF, i);
      if (lf < 0 || lf >= end) {
        const tail = end - i;
        state = state === 0 && tail === 1 && bytes[i] === CR ? 1 : 2;
        this.lineState = state;
        return -1;
      }
      const length = lf - i;
      // Blank: nothing, or a lone CR, since the previous LF (possibly in an earlier chunk).
      if (length === 0 ? state !== 2 : length === 1 && state === 0 && bytes[i] === CR) {
        this.lineState = 0;
        return lf + 1;
      }
      state = 0;
      i = lf + 1;
    }
    this.lineState = state;
    return -1;
  }

  private completeHead(text: string): void {
    if (this.state === ParserState.Trailers) {
      const trailers = parseTrailers(text, this.limits.maxHeaders);
      if (typeof trailers === 'string') {
        this.broken(trailers, true);
        return;
      }
      this.framingBytes += text.length;
      if (trailers.length > 0) this.events.onTrailers(this, trailers);
      this.finishMessage();
      return;
    }
    const head = parseHead(text, this.expect, this.limits.maxHeaders);
    if (typeof head === 'string') {
      this.broken(head, false);
      return;
    }
    this.inMessage = true;
    const framing = this.events.onHead(this, head);
    switch (framing) {
      case Framing.None:
        this.finishMessage();
        return;
      case Framing.Length:
        this.remaining = head.contentLength;
        this.state = ParserState.BodyLength;
        return;
      case Framing.Chunked:
        this.startChunk();
        return;
      case Framing.UntilClose:
        this.state = ParserState.UntilClose;
        return;
      case Framing.Switch:
        this.inMessage = false;
        this.state = ParserState.Passthrough;
        this.events.onEnd(this);
        return;
      case Framing.Invalid:
        this.broken('invalid-transfer-encoding', true);
        return;
    }
  }

  private startChunk(): void {
    this.state = ParserState.ChunkSize;
    this.chunkSize = 0;
    this.chunkDigits = 0;
    this.chunkInExtension = false;
    this.chunkLineBytes = 0;
  }

  private chunkSizeLine(bytes: Uint8Array, pos: number, end: number): number {
    while (pos < end) {
      const byte = bytes[pos++] as number;
      this.framingBytes++;
      if (++this.chunkLineBytes > MAX_CHUNK_LINE) {
        this.broken('invalid-chunk', true);
        return pos;
      }
      if (byte === LF) {
        if (this.chunkDigits === 0) {
          this.broken('invalid-chunk', true);
          return pos;
        }
        if (this.chunkSize === 0) {
          this.state = ParserState.Trailers;
          this.accLength = 0;
          this.lineState = 0;
        } else {
          this.remaining = this.chunkSize;
          this.state = ParserState.ChunkData;
        }
        return pos;
      }
      if (this.chunkInExtension) continue;
      const digit = HEX_VALUE[byte] as number;
      if (digit >= 0) {
        // 13 hex digits exceed 2^52: not a real chunk.
        if (++this.chunkDigits > 13) {
          this.broken('invalid-chunk', true);
          return pos;
        }
        this.chunkSize = this.chunkSize * 16 + digit;
      } else if (byte === SEMICOLON || byte === SP || byte === TAB || byte === CR) {
        if (this.chunkDigits === 0) {
          this.broken('invalid-chunk', true);
          return pos;
        }
        this.chunkInExtension = true;
      } else {
        this.broken('invalid-chunk', true);
        return pos;
      }
    }
    return pos;
  }
}
