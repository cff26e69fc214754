/**
 * Splits one direction's byte stream into HTTP/2 frames as the bytes arrive. Frames other than
 * DATA are handed over whole (a view when they lie in one chunk, else a copy up to the cap);
 * DATA content is streamed piece by piece, padding removed, so a large frame is never buffered.
 *
 * A direction that does not start with the client preface or a plausible frame header (the
 * agent started late), or that lost bytes in capture, hunts for a run of chained frame headers
 * and parses from there; bytes skipped meanwhile are counted.
 */
import { CLIENT_PREFACE, FRAME_HEADER_BYTES, FrameType, Flag } from './frame-types';
import { findFrameRun, plausibleFrameHeader, RunResult } from './frame-run';
import type { Http2FrameError } from './http2-stats';

export interface FrameEvents {
  /** A whole non-DATA frame; `payload[start, end)` is valid only during the call. */
  onFrame(type: number, flags: number, streamId: number, payload: Uint8Array, start: number, end: number): void;
  /** A piece of a DATA frame's content (padding excluded). */
  onData(streamId: number, bytes: Uint8Array, start: number, end: number): void;
  /** The DATA frame ended; `length` is its content length. */
  onDataEnd(streamId: number, flags: number, length: number): void;
  onFrameError(error: Http2FrameError, type: number, streamId: number): void;
  /** Framing was lost (a capture gap or garbage) and found again after skipping bytes. */
  onResync(skippedBytes: number): void;
}

const enum Mode {
  /** Nothing seen yet: the preface, a frame header, or hunting. */
  Start,
  Preface,
  Header,
  Payload,
  DataPadLength,
  Data,
  DataPadding,
  Skip,
  Hunt,
}

/** Bytes kept while hunting for framing. */
const HUNT_BUFFER_BYTES = 64 * 1024;

export class FrameReader {
  private mode = Mode.Start;
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private headerFill = 0;
  private type = 0;
  private flags = 0;
  private streamId = 0;
  private length = 0;
  /** Bytes of the current frame's payload still to come. */
  private remaining = 0;
  private padding = 0;
  private dataLength = 0;
  private payload = new Uint8Array(0);
  private payloadFill = 0;
  private prefaceFill = 0;
  private hunt: Uint8Array | null = null;
  private huntFill = 0;
  /** Offsets of the hunt buffer below this were ruled out. */
  private huntFrom = 0;
  private skipped = 0;
  /** True once the client preface was read on this direction. */
  sawPreface = false;
  /** True when this direction started somewhere other than its beginning (preface or first frame). */
  pickedUp = false;

  constructor(
    private readonly events: FrameEvents,
    /** Largest non-DATA payload buffered. */
    private readonly maxBufferedPayload: number,
  ) {}

  /** The direction lost `length` bytes before the next chunk: framing must be found again. */
  gap(): void {
    this.mode = Mode.Hunt;
    this.huntFill = 0;
    this.huntFrom = 0;
    this.headerFill = 0;
  }

  push(bytes: Uint8Array): void {
    let pos = 0;
    const end = bytes.length;
    while (pos < end) {
      switch (this.mode) {
        case Mode.Start:
          pos = this.start(bytes, pos);
          break;
        case Mode.Preface: {
          const take = Math.min(end - pos, CLIENT_PREFACE.length - this.prefaceFill);
          for (let i = 0; i < take; i++) {
            if (bytes[pos + i] !== CLIENT_PREFACE[this.prefaceFill + i]) {
              // Not the preface after all.
              this.pickedUp = true;
              this.mode = Mode.Hunt;
              return this.push(bytes.subarray(pos));
            }
          }
          this.prefaceFill += take;
          pos += take;
          if (this.prefaceFill === CLIENT_PREFACE.length) {
            this.sawPreface = true;
            this.mode = Mode.Header;
          }
          break;
        }
        case Mode.Header:
          pos = this.readHeader(bytes, pos, end);
          break;
        case Mode.Payload: {
          const take = Math.min(end - pos, this.remaining);
          if (this.payloadFill === 0 && take === this.length) {
            // Whole payload in this chunk: no copy.
            this.mode = Mode.Header;
            this.remaining = 0;
            this.events.onFrame(this.type, this.flags, this.streamId, bytes, pos, pos + take);
          } else {
            this.payload.set(bytes.subarray(pos, pos + take), this.payloadFill);
            this.payloadFill += take;
            this.remaining -= take;
            if (this.remaining === 0) {
              this.mode = Mode.Header;
              this.events.onFrame(this.type, this.flags, this.streamId, this.payload, 0, this.length);
            }
          }
          pos += take;
          break;
        }
        case Mode.DataPadLength: {
          this.padding = bytes[pos] as number;
          pos++;
          this.remaining--;
          if (this.padding > this.remaining) {
            this.events.onFrameError('invalid-padding', FrameType.Data, this.streamId);
            this.mode = this.remaining > 0 ? Mode.Skip : Mode.Header;
            break;
          }
          this.dataLength = this.remaining - this.padding;
          this.remaining = this.dataLength;
          this.mode = Mode.Data;
          if (this.remaining === 0) this.endData();
          break;
        }
        case Mode.Data: {
          const take = Math.min(end - pos, this.remaining);
          this.events.onData(this.streamId, bytes, pos, pos + take);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.endData();
          break;
        }
        case Mode.DataPadding:
        case Mode.Skip: {
          const take = Math.min(end - pos, this.remaining);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.mode = Mode.Header;
          break;
        }
        case Mode.Hunt:
          pos = this.huntFor(bytes, pos, end);
          break;
      }
    }
  }

  private start(bytes: Uint8Array, pos: number): number {
    if (bytes[pos] === CLIENT_PREFACE[0]) {
      this.mode = Mode.Preface;
      return pos;
    }
    if (bytes.length - pos >= FRAME_HEADER_BYTES && plausibleFrameHeader(bytes, pos)) {
      // The server's first frame is SETTINGS; any other first frame means a late start.
      if (bytes[pos + 3] !== FrameType.Settings || ((bytes[pos + 4] as number) & Flag.Ack) !== 0) this.pickedUp = true;
      this.mode = Mode.Header;
      return pos;
    }
    this.pickedUp = true;
    this.mode = Mode.Hunt;
    return pos;
  }

  private readHeader(bytes: Uint8Array, pos: number, end: number): number {
    const header = this.header;
    let at: number;
    let source: Uint8Array;
    if (this.headerFill === 0 && end - pos >= FRAME_HEADER_BYTES) {
      source = bytes;
      at = pos;
      pos += FRAME_HEADER_BYTES;
    } else {
      const take = Math.min(end - pos, FRAME_HEADER_BYTES - this.headerFill);
      header.set(bytes.subarray(pos, pos + take), this.headerFill);
      this.headerFill += take;
      pos += take;
      if (this.headerFill < FRAME_HEADER_BYTES) return pos;
      this.headerFill = 0;
      source = header;
      at = 0;
    }
    const length = ((source[at] as number) << 16) | ((source[at + 1] as number) << 8) | (source[at + 2] as number);
    this.length = length;
    this.type = source[at + 3] as number;
    this.flags = source[at + 4] as number;
    this.streamId =
      (((source[at + 5] as number) & 0x7f) << 24) |
      ((source[at + 6] as number) << 16) |
      ((source[at + 7] as number) << 8) |
      (source[at + 8] as number);
    this.remaining = length;
    if (this.type === FrameType.Data) {
      if (this.streamId === 0) {
        this.events.onFrameError('invalid-frame', this.type, 0);
        this.mode = length > 0 ? Mode.Skip : Mode.Header;
        return pos;
      }
      this.padding = 0;
      if (this.flags & Flag.Padded) {
        if (length === 0) {
          this.events.onFrameError('invalid-padding', this.type, this.streamId);
          this.mode = Mode.Header;
          return pos;
        }
        this.mode = Mode.DataPadLength;
      } else {
        this.dataLength = length;
        this.mode = Mode.Data;
        if (length === 0) this.endData();
      }
      return pos;
    }
    if (length > this.maxBufferedPayload) {
      this.events.onFrameError(
        this.type === FrameType.Headers || this.type === FrameType.Continuation
          ? 'header-block-too-large'
          : 'frame-too-large',
        this.type,
        this.streamId,
      );
      this.mode = Mode.Skip;
      return pos;
    }
    if (length === 0) {
      this.mode = Mode.Header;
      this.events.onFrame(this.type, this.flags, this.streamId, this.header, 0, 0);
      return pos;
    }
    if (this.payload.length < length && end - pos < length) {
      this.payload = new Uint8Array(Math.max(length, Math.min(this.maxBufferedPayload, this.payload.length * 2)));
    }
    this.payloadFill = 0;
    this.mode = Mode.Payload;
    return pos;
  }

  private endData(): void {
    this.mode = this.padding > 0 ? Mode.DataPadding : Mode.Header;
    this.remaining = this.padding;
    this.events.onDataEnd(this.streamId, this.flags, this.dataLength);
  }

  /** Buffers bytes until a run of frame headers shows where framing resumes. */
  private huntFor(bytes: Uint8Array, pos: number, end: number): number {
    const buffer = this.hunt ?? (this.hunt = new Uint8Array(HUNT_BUFFER_BYTES));
    const take = Math.min(end - pos, buffer.length - this.huntFill);
    buffer.set(bytes.subarray(pos, pos + take), this.huntFill);
    this.huntFill += take;
    pos += take;
    const view = buffer.subarray(0, this.huntFill);
    const run = findFrameRun(view, this.huntFrom, this.huntFill);
    this.huntFrom = run.undecided;
    if (run.result === RunResult.Found) {
      const rest = view.slice(run.offset);
      this.skipped += run.offset;
      this.events.onResync(this.skipped);
      this.skipped = 0;
      this.huntFill = 0;
      this.huntFrom = 0;
      this.hunt = null;
      this.mode = Mode.Header;
      this.headerFill = 0;
      this.push(rest);
      return pos;
    }
    if (this.huntFill === buffer.length) {
      // No framing in a full buffer: keep its tail (a run may start there).
      const keep = 4 * FRAME_HEADER_BYTES;
      this.skipped += this.huntFill - keep;
      buffer.copyWithin(0, this.huntFill - keep, this.huntFill);
      this.huntFill = keep;
      this.huntFrom = 0;
    }
    return pos;
  }
}
