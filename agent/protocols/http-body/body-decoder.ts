/**
 * Undoes a body's Content-Encoding (gzip, deflate, br) with Node's zlib,
 * synchronously and under two limits: a decoded-size cap and an expansion
 * ratio. Output never grows past the cap (zlib's maxOutputLength stops the
 * inflater as it goes), so a decompression bomb is cut, not followed.
 */
import * as zlib from 'node:zlib';
import type { BodyDecoding } from '../../exchange/http-exchange';

export interface DecodeLimits {
  /** Bytes of decoded output returned as the preview. */
  readonly previewBytes: number;
  readonly maxDecodedBytes: number;
  readonly maxRatio: number;
}

export interface DecodeResult {
  readonly preview: Uint8Array;
  readonly decoding: BodyDecoding;
  /** Set only when the whole body was decoded. */
  readonly decodedBytes?: number;
}

/** Output up to this size is never called a bomb, whatever the ratio (tiny bodies compress absurdly well). */
const RATIO_FREE_BYTES = 64 * 1024;
/** zlib's default output buffer, and the smallest one used here. */
const DEFAULT_CHUNK = 16 * 1024;
const MIN_CHUNK = 1024;
/** Bounds the search for a preview after a cut. */
const MAX_PREFIX_HALVINGS = 20;

const DECODABLE = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/** The codings of a Content-Encoding value, lower case, in the order applied; `identity` dropped. */
export function contentCodings(header: string): string[] {
  const codings: string[] = [];
  for (const part of header.toLowerCase().split(',')) {
    const coding = part.trim();
    if (coding !== '' && coding !== 'identity') codings.push(coding);
  }
  return codings;
}

export function canDecode(codings: readonly string[]): boolean {
  for (const coding of codings) if (!DECODABLE.has(coding)) return false;
  return true;
}

type StepOutcome =
  { readonly kind: 'ok'; readonly output: Buffer } | { readonly kind: 'limit' } | { readonly kind: 'error' };

function isTooLarge(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}

/**
 * Whether `input` starts with a zlib header (RFC 1950: deflate method, window ≤ 32 KiB, check bits).
 * Many servers send raw deflate (RFC 1951) for `deflate` instead: the header picks the inflater up
 * front, because every failed zlib *Sync call strands its 16 KiB output buffer until a full GC.
 */
function hasZlibHeader(input: Uint8Array): boolean {
  if (input.length < 2) return false;
  const cmf = input[0] as number;
  const flg = input[1] as number;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (cmf * 256 + flg) % 31 === 0;
}

/** gzip's magic bytes (1f 8b), as far as `input` goes: anything else fails without calling zlib. */
function mayBeGzip(input: Uint8Array): boolean {
  return (input.length < 1 || input[0] === 0x1f) && (input.length < 2 || input[1] === 0x8b);
}

/** One coding, undone with a flush (not a finish) so that a prefix decodes as far as it goes. */
function runCoding(coding: string, input: Uint8Array, maxOutputLength: number): StepOutcome {
  // The output buffer sized to the input (16× it, at most zlib's default 16 KiB): a call that fails on
  // a short corrupt body strands only a small buffer; 4× cost 8 % on gzip JSON (more output chunks).
  const chunkSize = Math.min(DEFAULT_CHUNK, Math.max(MIN_CHUNK, input.length * 16));
  const flush = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength, chunkSize };
  try {
    switch (coding) {
      case 'br':
        return {
          kind: 'ok',
          output: zlib.brotliDecompressSync(input, {
            finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
            maxOutputLength,
            chunkSize,
          }),
        };
      case 'deflate':
        if (!hasZlibHeader(input)) return { kind: 'ok', output: zlib.inflateRawSync(input, flush) };
        try {
          return { kind: 'ok', output: zlib.inflateSync(input, flush) };
        } catch (error) {
          if (isTooLarge(error)) throw error;
          // A raw stream whose first bytes happen to read as a zlib header (rare).
          return { kind: 'ok', output: zlib.inflateRawSync(input, flush) };
        }
      default:
        if (!mayBeGzip(input)) return { kind: 'error' };
        return { kind: 'ok', output: zlib.gunzipSync(input, flush) };
    }
  } catch (error) {
    return isTooLarge(error) ? { kind: 'limit' } : { kind: 'error' };
  }
}

/**
 * `input` is what was kept of the coded body; `complete` says it is all of it.
 * On a cut, the preview comes from the longest prefix (halving) that stays
 * under the limit, and that prefix bounds the ratio from below.
 */
export function decodeBody(
  input: Uint8Array,
  codings: readonly string[],
  complete: boolean,
  limits: DecodeLimits,
): DecodeResult {
  const ratioBound = Math.max(RATIO_FREE_BYTES, Math.ceil(input.length * limits.maxRatio));
  const limit = Math.min(limits.maxDecodedBytes, ratioBound);
  let data: Uint8Array = input;
  // Codings are listed in the order they were applied: undo from the last.
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i] as string;
    const outcome = runCoding(coding, data, limit);
    if (outcome.kind === 'ok') {
      data = outcome.output;
      continue;
    }
    if (outcome.kind === 'error') {
      return { preview: copyPrefix(input, limits.previewBytes), decoding: 'error' };
    }
    // Over the limit: find a prefix that fits, for the preview and a lower bound of the ratio.
    let prefix = data.length;
    let fitted: Buffer | undefined;
    for (let halvings = 0; halvings < MAX_PREFIX_HALVINGS && prefix > 1 && fitted === undefined; halvings++) {
      prefix = Math.floor(prefix / 2);
      const attempt = runCoding(coding, data.subarray(0, prefix), limit);
      if (attempt.kind === 'ok') fitted = attempt.output;
      else if (attempt.kind === 'error') break;
    }
    // Prefix 2p produced more than `limit` bytes from 2p input bytes (at most; the first step counts
    // against the whole input).
    const ratioAtLeast = limit / Math.max(1, Math.min(input.length, prefix * 2));
    const decoding: BodyDecoding =
      limit === ratioBound || ratioAtLeast > limits.maxRatio ? 'ratio-limit' : 'size-limit';
    // Later codings (outer ones already undone) cannot be applied to a cut stream reliably: stop here.
    const preview = i === 0 && fitted !== undefined ? copyPrefix(fitted, limits.previewBytes) : new Uint8Array(0);
    return { preview, decoding };
  }
  const preview = copyPrefix(data, limits.previewBytes);
  return complete ? { preview, decoding: 'decoded', decodedBytes: data.length } : { preview, decoding: 'partial' };
}

/** A copy, so that a large decode buffer is not kept alive by its preview. */
function copyPrefix(bytes: Uint8Array, length: number): Uint8Array {
  // Not Buffer#slice: that one is a view.
  return new Uint8Array(bytes.subarray(0, Math.min(length, bytes.length)));
}
