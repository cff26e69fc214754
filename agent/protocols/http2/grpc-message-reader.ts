/**
 * The gRPC length-prefixed messages (1 byte compressed flag, 4 bytes length, the message) in one
 * direction of one stream's DATA: counts them and their sizes and keeps the first message for
 * the preview, gunzipped when the call's `grpc-encoding` is gzip (under the body decode limits).
 */
import type { GrpcMessages } from '../../exchange/http2-exchange';
import { decodeBody } from '../http-body/body-decoder';
import type { BodyLimits } from '../http-body/body-capture';

const EMPTY = new Uint8Array(0);

export class GrpcMessageReader {
  private count = 0;
  private bytes = 0;
  private compressed = 0;
  private readonly prefix = new Uint8Array(5);
  private prefixFill = 0;
  /** Bytes of the current message still to come. */
  private remaining = 0;
  private first: Uint8Array | null = null;
  private firstFill = 0;
  private firstLength = 0;
  private firstCompressed = false;
  /** Framing was lost (bytes missing): counting stops. */
  private lost = false;

  constructor(private readonly limits: BodyLimits) {}

  add(data: Uint8Array, start: number, end: number): void {
    let pos = start;
    while (pos < end && !this.lost) {
      if (this.remaining === 0 && this.prefixFill < 5) {
        const take = Math.min(end - pos, 5 - this.prefixFill);
        this.prefix.set(data.subarray(pos, pos + take), this.prefixFill);
        this.prefixFill += take;
        pos += take;
        if (this.prefixFill < 5) return;
        const p = this.prefix;
        const length =
          ((p[1] as number) * 0x1000000 + (((p[2] as number) << 16) | ((p[3] as number) << 8) | (p[4] as number))) >>>
          0;
        const isCompressed = ((p[0] as number) & 1) === 1;
        this.count++;
        this.bytes += length;
        if (isCompressed) this.compressed++;
        if (this.count === 1) {
          this.firstLength = length;
          this.firstCompressed = isCompressed;
          const keep = Math.min(length, isCompressed ? this.limits.maxEncodedBodyBytes : this.limits.bodyCaptureBytes);
          this.first = new Uint8Array(keep);
        }
        this.remaining = length;
        this.prefixFill = length === 0 ? 0 : 5;
        continue;
      }
      const take = Math.min(end - pos, this.remaining);
      if (this.count === 1 && this.first !== null && this.firstFill < this.first.length) {
        const copy = Math.min(take, this.first.length - this.firstFill);
        this.first.set(data.subarray(pos, pos + copy), this.firstFill);
        this.firstFill += copy;
      }
      pos += take;
      this.remaining -= take;
      if (this.remaining === 0) this.prefixFill = 0;
    }
  }

  /** Bytes were lost: the message boundaries can no longer be followed. */
  lose(): void {
    this.lost = true;
  }

  finish(encoding: string | undefined): GrpcMessages {
    const first = this.first === null ? EMPTY : this.first.subarray(0, this.firstFill);
    const whole = this.firstFill === this.firstLength;
    if (this.firstCompressed && encoding !== undefined && /^(x-)?gzip$/i.test(encoding.trim())) {
      const result = decodeBody(first, ['gzip'], whole, {
        previewBytes: this.limits.bodyCaptureBytes,
        maxDecodedBytes: this.limits.maxDecodedBodyBytes,
        maxRatio: this.limits.maxDecodeRatio,
      });
      if (result.decoding === 'decoded' || result.decoding === 'partial') {
        const truncated = result.decodedBytes === undefined || result.preview.length < result.decodedBytes;
        return this.record(result.preview, truncated, true);
      }
    }
    const shown = first.subarray(0, Math.min(first.length, this.limits.bodyCaptureBytes));
    return this.record(shown, shown.length < this.firstLength, false);
  }

  private record(preview: Uint8Array, truncated: boolean, decompressed: boolean): GrpcMessages {
    return { count: this.count, bytes: this.bytes, compressed: this.compressed, preview, truncated, decompressed };
  }
}
