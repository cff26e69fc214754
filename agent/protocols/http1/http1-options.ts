/** Settings of the HTTP/1 protocol (and of the WebSocket parser it hands upgraded connections to). */
import { Http1Stats } from './http1-stats';

export interface Http1Options {
  /** Body bytes kept per message for display (decoded bytes when the body is content-coded). Default 4096. */
  readonly bodyCaptureBytes?: number;
  /** A request unanswered this long (no byte of its exchange seen) is reported incomplete. Default 30000. */
  readonly exchangeTimeoutMs?: number;
  /** Coded body bytes kept per message to decode from; past it only a prefix is decoded. Default 256 KiB. */
  readonly maxEncodedBodyBytes?: number;
  /** Most bytes one decode may produce. Default 1 MiB. */
  readonly maxDecodedBodyBytes?: number;
  /** Decoded/coded ratio past which a body is a decompression bomb and is cut. Default 100. */
  readonly maxDecodeRatio?: number;
  /** Largest head (start line + header fields) accepted. Default 64 KiB. */
  readonly maxHeadBytes?: number;
  /** Most header fields accepted per message. Default 100. */
  readonly maxHeaders?: number;
  /** Requests waiting for responses on one connection before the oldest is given up. Default 256. */
  readonly maxPendingExchanges?: number;
  /** Bytes a direction holds while its upgrade / CONNECT request waits for the answer. Default 64 KiB. */
  readonly maxHeldBytes?: number;
  /** WebSocket payload bytes kept per message. Default: bodyCaptureBytes. */
  readonly websocketCaptureBytes?: number;
  /** Counters to update; default a fresh instance (read it from the protocol's `stats`). */
  readonly stats?: Http1Stats;
}

export interface ResolvedHttp1Options {
  readonly bodyCaptureBytes: number;
  readonly exchangeTimeoutNs: bigint;
  readonly maxEncodedBodyBytes: number;
  readonly maxDecodedBodyBytes: number;
  readonly maxDecodeRatio: number;
  readonly maxHeadBytes: number;
  readonly maxHeaders: number;
  readonly maxPendingExchanges: number;
  readonly maxHeldBytes: number;
  readonly websocketCaptureBytes: number;
  readonly stats: Http1Stats;
}

export const HTTP1_DEFAULTS = {
  bodyCaptureBytes: 4096,
  exchangeTimeoutMs: 30_000,
  maxEncodedBodyBytes: 256 * 1024,
  maxDecodedBodyBytes: 1024 * 1024,
  maxDecodeRatio: 100,
  maxHeadBytes: 64 * 1024,
  maxHeaders: 100,
  maxPendingExchanges: 256,
  maxHeldBytes: 64 * 1024,
} as const;

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min || Math.floor(value) !== value) {
    throw new RangeError(`http1: ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

export function resolveHttp1Options(options: Http1Options = {}): ResolvedHttp1Options {
  const d = HTTP1_DEFAULTS;
  const bodyCaptureBytes = count('bodyCaptureBytes', options.bodyCaptureBytes, d.bodyCaptureBytes, 0);
  const maxDecodeRatio = options.maxDecodeRatio ?? d.maxDecodeRatio;
  if (!(maxDecodeRatio >= 1)) throw new RangeError(`http1: maxDecodeRatio must be >= 1, got ${maxDecodeRatio}`);
  return {
    bodyCaptureBytes,
    exchangeTimeoutNs:
      BigInt(count('exchangeTimeoutMs', options.exchangeTimeoutMs, d.exchangeTimeoutMs, 1)) * 1_000_000n,
    maxEncodedBodyBytes: count('maxEncodedBodyBytes', options.maxEncodedBodyBytes, d.maxEncodedBodyBytes, 0),
    maxDecodedBodyBytes: count('maxDecodedBodyBytes', options.maxDecodedBodyBytes, d.maxDecodedBodyBytes, 1),
    maxDecodeRatio,
    maxHeadBytes: count('maxHeadBytes', options.maxHeadBytes, d.maxHeadBytes, 64),
    maxHeaders: count('maxHeaders', options.maxHeaders, d.maxHeaders, 1),
    maxPendingExchanges: count('maxPendingExchanges', options.maxPendingExchanges, d.maxPendingExchanges, 1),
    maxHeldBytes: count('maxHeldBytes', options.maxHeldBytes, d.maxHeldBytes, 0),
    websocketCaptureBytes: count('websocketCaptureBytes', options.websocketCaptureBytes, bodyCaptureBytes, 0),
    stats: options.stats ?? new Http1Stats(),
  };
}
