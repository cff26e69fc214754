/**
 * HTTP/2 (and gRPC over it) as a protocol of the processor's ordered list, before HTTP/1:
 * detection from the client preface, from the server's SETTINGS as its first frame, or (a
 * connection picked up mid-stream) from a run of chained frame headers; a parser per connection.
 */
import type { ConnectionFacts, Direction } from '../../capture/captured-event';
import type { Detection, Protocol, ProtocolParser, RecordSink } from '../protocol';
import { findFrameRun, plausibleFrameHeader, RunResult } from './frame-run';
import { CLIENT_PREFACE, FRAME_HEADER_BYTES, Flag, FrameType } from './frame-types';
import { Http2Connection } from './http2-connection';
import { resolveHttp2Options, type Http2Options, type ResolvedHttp2Options } from './http2-options';
import type { Http2Stats } from './http2-stats';

function startsWithPreface(bytes: Uint8Array): boolean {
  if (bytes.length < CLIENT_PREFACE.length) return false;
  for (let i = 0; i < CLIENT_PREFACE.length; i++) if (bytes[i] !== CLIENT_PREFACE[i]) return false;
  return true;
}

/** Offsets searched for a run of frame headers in a connection's first bytes. */
const MAX_RUN_OFFSET = 512;

export class Http2Protocol implements Protocol {
  readonly name = 'http2';
  readonly options: ResolvedHttp2Options;

  constructor(options: Http2Options = {}) {
    this.options = resolveHttp2Options(options);
  }

  get stats(): Http2Stats {
    return this.options.stats;
  }

  detect(bytes: Uint8Array, _direction: Direction): Detection {
    // The client preface, or a prefix of it.
    const prefix = Math.min(bytes.length, CLIENT_PREFACE.length);
    let preface = true;
    for (let i = 0; i < prefix && preface; i++) preface = bytes[i] === CLIENT_PREFACE[i];
    if (preface) return prefix === CLIENT_PREFACE.length ? 'match' : 'need-more';
    // The server's first frame: SETTINGS (not an ACK) on stream 0.
    if (
      bytes.length >= FRAME_HEADER_BYTES &&
      bytes[3] === FrameType.Settings &&
      ((bytes[4] as number) & Flag.Ack) === 0 &&
      plausibleFrameHeader(bytes, 0)
    ) {
      return 'match';
    }
    // A frame header's length starts with a zero byte (frames up to 16 KiB): anything else is not
    // HTTP/2 from a frame boundary; a mid-stream pickup still needs a run of frames.
    if (bytes.length < FRAME_HEADER_BYTES) return bytes[0] === 0 ? 'need-more' : 'no-match';
    const run = findFrameRun(bytes, 0, MAX_RUN_OFFSET);
    if (run.result === RunResult.Found) return 'match';
    return run.result === RunResult.NeedMore ? 'need-more' : 'no-match';
  }

  /** The client preface, or chained frame headers, from the chunk's start. */
  resume(bytes: Uint8Array, _direction: Direction): boolean {
    return startsWithPreface(bytes) || findFrameRun(bytes, 0, 0).result === RunResult.Found;
  }

  create(connection: ConnectionFacts, sink: RecordSink): ProtocolParser {
    return new Http2Connection(connection, sink, this.options);
  }
}
