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
import { Framing, invalidFramingReason } from './body-framing';
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
const DEL = 127;
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

// scanHeadEnd's answers besides an index.
const NEED_MORE = -1;
const BARE_CR = -2;
const BARE_LF = -3;

// Where a head's scan stands at a chunk end.
const LINE_START = 0;
/** A CR at the start of a line: the blank line that ends the head, if LF follows. */
const LINE_START_CR = 1;
const IN_LINE = 2;
/** A CR after content: the line ends, if LF follows. */
const IN_LINE_CR = 3;

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
  /** Where the head scan stands (LINE_START …), carried across chunks. */
  private lineState = LINE_START;
  private startChecked = false;

  // Chunk-size line.
  private chunkSize = 0;
  private chunkDigits = 0;
  private chunkInExtension = false;
  /** Whitespace after the chunk size: only an extension may follow. */
  private chunkAfterSize = false;
  private chunkLineBytes = 0;
  private crSeen = false;

  // Resync.
  private atLineStart = true;
  /** Allocated the first time a message start is cut by a chunk end. */
  private stash: Uint8Array | null = null;
  private stashLength = 0;
  private stashNs = 0n;
  private stashTid = 0;
  /** Inside a skipped range (counted when it started). */
  private skipping = false;

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
          // Exactly CRLF after the chunk's data.
          const byte = bytes[pos++] as number;
          this.framingBytes++;
          if (!this.crSeen) {
            if (byte === CR) this.crSeen = true;
            else this.broken(byte === LF ? 'bare-lf' : 'invalid-chunk', true);
          } else if (byte === LF) this.startChunk();
          else this.broken('bare-cr', true);
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
    this.lineState = LINE_START;
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
      this.skip(stashed);
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
        this.skip(end - pos);
        return end;
      }
      this.skip(lf + 1 - pos);
      pos = lf + 1;
      this.atLineStart = true;
    }
    return pos;
  }

  /** `length` bytes skipped or refused: counted at once (a connection may never find a start again). */
  private skip(length: number): void {
    if (length <= 0) return;
    if (!this.skipping) {
      this.skipping = true;
      this.stats.skippedRanges++;
    }
    this.stats.bytesSkipped += length;
  }

  private synced(): void {
    this.skipping = false;
  }

  /** Head or trailer section: up to and including the blank line. */
  private head(bytes: Uint8Array, pos: number, end: number): number {
    const trailers = this.state === ParserState.Trailers;
    if (!trailers && !this.startChecked && this.accLength === 0) {
      const match = matchMessageStart(bytes, pos, end, this.expect, !this.lenient);
      if (match === StartMatch.No) {
        this.skip(1);
        this.broken(this.misdirected(bytes, pos, end) ? 'unexpected-message' : 'invalid-start-line', false);
        return pos + 1;
      }
      if (match === StartMatch.Yes) this.started(bytes, pos);
    }
    const found = this.scanHeadEnd(bytes, pos, end);
    if (found < NEED_MORE) {
      // A bare CR or an LF-only line: refuse what was gathered, skip on from here.
      this.skip(this.accLength);
      if (!trailers && !this.startChecked && this.accLength > 0) {
        // The start was cut by a chunk end: settle it, so that the roles do not depend on chunking.
        this.append(bytes, pos, Math.min(end, pos + STASH_SIZE));
        if (matchMessageStart(this.acc, 0, this.accLength, this.expect, !this.lenient) === StartMatch.Yes) {
          this.started(this.acc, 0);
        }
      }
      this.broken(found === BARE_CR ? 'bare-cr' : 'bare-lf', trailers || this.inMessage);
      return pos;
    }
    const stop = found < 0 ? end : found;
    const limit = this.limits.maxHeadBytes;
    if (this.accLength === 0 && found >= 0) {
      // Fast path: the whole head is in this chunk.
      if (found - pos > limit) {
        this.skip(found - pos);
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
      this.skip(this.accLength + (stop - pos));
      this.broken('head-too-large', trailers || this.inMessage);
      this.atLineStart = found >= 0;
      return stop;
    }
    this.append(bytes, pos, stop);
    if (!trailers && !this.startChecked) {
      const match = matchMessageStart(this.acc, 0, this.accLength, this.expect, !this.lenient);
      if (match === StartMatch.No) {
        const misdirected = this.misdirected(this.acc, 0, this.accLength);
        this.skip(this.accLength);
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

  /**
   * Index after the CRLF that ends the blank line; NEED_MORE; or BARE_CR / BARE_LF. Line to line
   * with the engine's own search for CR, so that each line's CR is also checked for its LF (RFC
   * 9112 §2.2) at no extra cost; an LF-only line hidden before a later CR is left to parseHead,
   * which finds every LF anyway. The line state is carried across chunks.
   */
  private scanHeadEnd(bytes: Uint8Array, pos: number, end: number): number {
    let state = this.lineState;
    let i = pos;
    if (state === LINE_START_CR || state === IN_LINE_CR) {
      // The previous chunk ended with a CR.
      if (bytes[i] !== LF) return BARE_CR;
      i++;
      if (state === LINE_START_CR) {
        this.lineState = LINE_START;
        return i;
      }
      state = LINE_START;
    }
    while (i < end) {
      const cr = bytes.indexOf(CR, i);
      if (cr < 0 || cr >= end) {
        // No line end in the rest of the chunk: an LF in it ends a line without CR.
        const lf = bytes.indexOf(LF, i);
        if (lf >= 0 && lf < end) return BARE_LF;
        this.lineState = IN_LINE;
        return NEED_MORE;
      }
      const blank = cr === i && state === LINE_START;
      if (cr + 1 === end) {
        this.lineState = blank ? LINE_START_CR : IN_LINE_CR;
        return NEED_MORE;
      }
      if (bytes[cr + 1] !== LF) return BARE_CR;
      if (blank) {
        this.lineState = LINE_START;
        return cr + 2;
      }
      state = LINE_START;
      i = cr + 2;
    }
    this.lineState = state;
    return NEED_MORE;
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
      this.skip(text.length);
      this.broken(head, false);
      return;
    }
    this.inMessage = true;
    const framing = this.events.onHead(this, head);
    if (head.malformed !== undefined) {
      // Reported as seen, but no body is framed from a head that breaks the rules.
      this.broken(head.malformed, true);
      return;
    }
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
        this.broken(invalidFramingReason(head), true);
        return;
    }
  }

  private startChunk(): void {
    this.state = ParserState.ChunkSize;
    this.chunkSize = 0;
    this.chunkDigits = 0;
    this.chunkInExtension = false;
    this.chunkAfterSize = false;
    this.chunkLineBytes = 0;
    this.crSeen = false;
  }

  /**
   * `chunk-size [ chunk-ext ] CRLF` (RFC 9112 §7.1): hex digits, optional whitespace only before
   * a `;` extension, extensions without control characters, and exactly CRLF at the end.
   */
  private chunkSizeLine(bytes: Uint8Array, pos: number, end: number): number {
    while (pos < end) {
      const byte = bytes[pos++] as number;
      this.framingBytes++;
      if (++this.chunkLineBytes > MAX_CHUNK_LINE) return this.badChunk('invalid-chunk', pos);
      if (this.crSeen) {
        if (byte !== LF) return this.badChunk('bare-cr', pos);
        if (this.chunkSize === 0) {
          this.state = ParserState.Trailers;
          this.accLength = 0;
          this.lineState = LINE_START;
        } else {
          this.remaining = this.chunkSize;
          this.state = ParserState.ChunkData;
        }
        return pos;
      }
      if (byte === CR) {
        if (this.chunkDigits === 0 || (this.chunkAfterSize && !this.chunkInExtension)) {
          return this.badChunk('invalid-chunk', pos);
        }
        this.crSeen = true;
        continue;
      }
      if (byte === LF) return this.badChunk('bare-lf', pos);
      if (this.chunkInExtension) {
        if ((byte < SP && byte !== TAB) || byte === DEL) return this.badChunk('invalid-chunk', pos);
        continue;
      }
      const digit = HEX_VALUE[byte] as number;
      if (digit >= 0 && !this.chunkAfterSize) {
        // 13 hex digits exceed 2^52: not a real chunk.
        if (++this.chunkDigits > 13) return this.badChunk('invalid-chunk', pos);
        this.chunkSize = this.chunkSize * 16 + digit;
      } else if (this.chunkDigits > 0 && (byte === SP || byte === TAB)) {
        this.chunkAfterSize = true;
      } else if (this.chunkDigits > 0 && byte === SEMICOLON) {
        this.chunkInExtension = true;
      } else {
        return this.badChunk('invalid-chunk', pos);
      }
    }
    return pos;
  }

  private badChunk(reason: Http1ParseError, pos: number): number {
    this.broken(reason, true);
    return pos;
  }
}
