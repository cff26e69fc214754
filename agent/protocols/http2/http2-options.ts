/** Settings of the HTTP/2 protocol. */
import { HTTP1_DEFAULTS } from '../http1/http1-options';
import { Http2Stats } from './http2-stats';

export interface Http2Options {
  /** Body bytes kept per message for display (decoded when content-coded). Default 4096. */
  readonly bodyCaptureBytes?: number;
  /** A stream with no frame seen this long is reported incomplete. Default 30000. */
  readonly exchangeTimeoutMs?: number;
  /** Coded body bytes kept per message to decode from. Default 256 KiB. */
  readonly maxEncodedBodyBytes?: number;
  /** Most bytes one decode may produce. Default 1 MiB. */
  readonly maxDecodedBodyBytes?: number;
  /** Decoded/coded ratio past which a body is a decompression bomb. Default 100. */
  readonly maxDecodeRatio?: number;
  /** Largest decoded header list kept, and largest header block buffered. Default 64 KiB. */
  readonly maxHeaderListBytes?: number;
  /** Open streams followed per connection; further new streams are dropped and counted. Default 1000. */
  readonly maxOpenStreams?: number;
  /** Streams reset before any response on one connection before it is marked a rapid-reset flood. Default 1000. */
  readonly maxEarlyResets?: number;
  /** Empty DATA frames without END_STREAM on one connection before it is marked a flood. Default 10000. */
  readonly maxEmptyDataFrames?: number;
  readonly stats?: Http2Stats;
}

export interface ResolvedHttp2Options {
  readonly bodyCaptureBytes: number;
  readonly exchangeTimeoutNs: bigint;
  readonly maxEncodedBodyBytes: number;
  readonly maxDecodedBodyBytes: number;
  readonly maxDecodeRatio: number;
  readonly maxHeaderListBytes: number;
  readonly maxOpenStreams: number;
  readonly maxEarlyResets: number;
  readonly maxEmptyDataFrames: number;
  readonly stats: Http2Stats;
}

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min || Math.floor(value) !== value) {
    throw new RangeError(`http2: ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

export function resolveHttp2Options(options: Http2Options = {}): ResolvedHttp2Options {
  const d = HTTP1_DEFAULTS;
  const maxDecodeRatio = options.maxDecodeRatio ?? d.maxDecodeRatio;
  if (!(maxDecodeRatio >= 1)) throw new RangeError(`http2: maxDecodeRatio must be >= 1, got ${maxDecodeRatio}`);
  return {
    bodyCaptureBytes: count('bodyCaptureBytes', options.bodyCaptureBytes, d.bodyCaptureBytes, 0),
    exchangeTimeoutNs:
      BigInt(count('exchangeTimeoutMs', options.exchangeTimeoutMs, d.exchangeTimeoutMs, 1)) * 1_000_000n,
    maxEncodedBodyBytes: count('maxEncodedBodyBytes', options.maxEncodedBodyBytes, d.maxEncodedBodyBytes, 0),
    maxDecodedBodyBytes: count('maxDecodedBodyBytes', options.maxDecodedBodyBytes, d.maxDecodedBodyBytes, 1),
    maxDecodeRatio,
    maxHeaderListBytes: count('maxHeaderListBytes', options.maxHeaderListBytes, 64 * 1024, 1024),
    maxOpenStreams: count('maxOpenStreams', options.maxOpenStreams, 1000, 1),
    maxEarlyResets: count('maxEarlyResets', options.maxEarlyResets, 1000, 1),
    maxEmptyDataFrames: count('maxEmptyDataFrames', options.maxEmptyDataFrames, 10_000, 1),
    stats: options.stats ?? new Http2Stats(),
  };
}
