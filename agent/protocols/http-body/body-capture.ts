/**
 * One message body as it streams by: counts its bytes and keeps a copy of
 * the first ones — the preview for plain bodies, or the coded bytes to
 * decode from (up to a larger bound) for content-coded ones. Shared by
 * HTTP/1 (de-chunked bodies) and HTTP/2 (DATA frames).
 */
import type { BodyDecoding, HttpBody } from '../../exchange/http-exchange';
import { canDecode, contentCodings, decodeBody } from './body-decoder';

/** The body limits (the HTTP/1 and HTTP/2 options both carry them). */
export interface BodyLimits {
  readonly bodyCaptureBytes: number;
  readonly maxEncodedBodyBytes: number;
  readonly maxDecodedBodyBytes: number;
  readonly maxDecodeRatio: number;
}

/** Where decoding outcomes are counted (the HTTP/1 and HTTP/2 stats both have these). */
export interface BodyDecodeStats {
  bombsCut: number;
  decodeSizeLimited: number;
  decodeErrors: number;
  unsupportedEncodings: number;
}

const EMPTY = new Uint8Array(0);

/** The body of a message that has none. */
export const NO_BODY: HttpBody = Object.freeze({
  preview: EMPTY,
  truncated: false,
  wireBytes: 0,
  bytes: 0,
  decodedBytes: 0,
  decoding: 'identity',
  lostBytes: 0,
});

export class BodyCapture {
  /** Bytes after de-chunking (lost ones included). */
  bytes = 0;
  /** Framing bytes on the wire around the content (chunk lines, CRLFs, trailers). */
  framingBytes = 0;
  lostBytes = 0;
  private kept: Uint8Array = EMPTY;
  private keptLength = 0;
  /** Nothing more is kept once bytes are lost: what follows a hole is not a prefix. */
  private keeping = true;
  private readonly keepLimit: number;
  private readonly codings: readonly string[];

  constructor(
    /** The Content-Encoding header; '' when absent. */
    private readonly contentEncoding: string,
    /** Expected content bytes (Content-Length), or -1. */
    private readonly sizeHint: number,
    private readonly options: BodyLimits,
  ) {
    this.codings = contentEncoding === '' ? [] : contentCodings(contentEncoding);
    this.keepLimit =
      this.codings.length > 0 && canDecode(this.codings)
        ? Math.max(options.maxEncodedBodyBytes, options.bodyCaptureBytes)
        : options.bodyCaptureBytes;
  }

  add(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.bytes += length;
    if (!this.keeping) return;
    const room = this.keepLimit - this.keptLength;
    if (room <= 0) return;
    const take = length < room ? length : room;
    const needed = this.keptLength + take;
    if (needed > this.kept.length) this.grow(needed);
    this.kept.set(bytes.subarray(start, start + take), this.keptLength);
    this.keptLength = needed;
  }

  /** Content bytes lost in capture; the framing still knows how many. */
  lose(length: number): void {
    this.bytes += length;
    this.lostBytes += length;
    this.keeping = false;
  }

  private grow(needed: number): void {
    let size = this.kept.length === 0 ? (this.sizeHint > 0 ? this.sizeHint : 256) : this.kept.length * 2;
    if (size < needed) size = needed;
    if (size > this.keepLimit) size = this.keepLimit;
    // Small sizes come from Node's shared buffer pool: no allocation per body. Only the
    // written prefix is ever exposed.
    const next = Buffer.allocUnsafe(size);
    next.set(this.kept.subarray(0, this.keptLength));
    this.kept = next;
  }

  /** The body record; `complete` says the message ended as framed. Outcomes are counted into `stats` when given. */
  finish(complete: boolean, stats: BodyDecodeStats | null): HttpBody {
    const options = this.options;
    const keptLength = this.keptLength;
    const wireBytes = this.bytes + this.framingBytes;
    if (this.codings.length === 0) {
      const shown = Math.min(keptLength, options.bodyCaptureBytes);
      const preview = shown === this.kept.length ? this.kept : this.kept.subarray(0, shown);
      if (this.contentEncoding === '') {
        return {
          preview,
          truncated: shown < this.bytes,
          wireBytes,
          bytes: this.bytes,
          decodedBytes: this.bytes,
          decoding: 'identity',
          lostBytes: this.lostBytes,
        };
      }
      // `Content-Encoding: identity`.
      return this.record(preview, shown < this.bytes, wireBytes, 'identity', this.bytes);
    }
    const kept = this.kept.subarray(0, keptLength);
    if (!canDecode(this.codings)) {
      if (stats !== null) stats.unsupportedEncodings++;
      return this.record(kept.subarray(0, options.bodyCaptureBytes), true, wireBytes, 'unsupported', undefined);
    }
    const whole = complete && this.lostBytes === 0 && keptLength === this.bytes;
    const result = decodeBody(kept, this.codings, whole, {
      previewBytes: options.bodyCaptureBytes,
      maxDecodedBytes: options.maxDecodedBodyBytes,
      maxRatio: options.maxDecodeRatio,
    });
    if (stats !== null) {
      if (result.decoding === 'ratio-limit') stats.bombsCut++;
      else if (result.decoding === 'size-limit') stats.decodeSizeLimited++;
      else if (result.decoding === 'error') stats.decodeErrors++;
    }
    const truncated = result.decodedBytes === undefined || result.preview.length < result.decodedBytes;
    return this.record(result.preview, truncated, wireBytes, result.decoding, result.decodedBytes);
  }

  private record(
    preview: Uint8Array,
    truncated: boolean,
    wireBytes: number,
    decoding: BodyDecoding,
    decodedBytes: number | undefined,
  ): HttpBody {
    const body: {
      preview: Uint8Array;
      truncated: boolean;
      wireBytes: number;
      bytes: number;
      decodedBytes?: number;
      contentEncoding?: string;
      decoding: BodyDecoding;
      lostBytes: number;
    } = { preview, truncated, wireBytes, bytes: this.bytes, decoding, lostBytes: this.lostBytes };
    if (decodedBytes !== undefined) body.decodedBytes = decodedBytes;
    if (this.contentEncoding !== '') body.contentEncoding = this.contentEncoding;
    return body;
  }
}
