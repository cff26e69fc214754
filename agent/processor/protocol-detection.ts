/**
 * Chooses a connection's protocol from its first bytes, deterministically.
 *
 * Protocols are asked in order; the first that does not answer 'no-match'
 * decides: 'match' wins, 'need-more' makes the connection wait (a later
 * protocol must not steal a connection an earlier one may still claim).
 * While waiting, each direction buffers up to `limitBytes`; past that, on a
 * gap, or when asked to stop, the last protocol (the fallback) takes over.
 */
import { Direction } from '../capture/captured-event';
import type { Protocol, StreamChunk } from '../protocols/protocol';

export interface DetectionDecision {
  readonly protocol: Protocol;
  /** True when no protocol matched and the last one was taken by default. */
  readonly fallback: boolean;
}

/** One direction's bytes seen so far, contiguous, at most `limitBytes`. */
class DirectionBytes {
  private buffer: Uint8Array | null = null;
  length = 0;

  /** `bytes` appended to what is buffered, cut at `limit`, as a view for detect(). */
  view(bytes: Uint8Array, limit: number): Uint8Array {
    // Nothing buffered: detect straight on the caller's view, copy only if we must wait.
    if (this.length === 0) return bytes.length > limit ? bytes.subarray(0, limit) : bytes;
    const buffer = this.buffer ?? (this.buffer = new Uint8Array(limit));
    const take = Math.min(limit - this.length, bytes.length);
    buffer.set(bytes.subarray(0, take), this.length);
    return buffer.subarray(0, this.length + take);
  }

  /** Keeps `input` (the last view) as the buffered bytes. */
  keep(input: Uint8Array, limit: number): void {
    const buffer = this.buffer ?? (this.buffer = new Uint8Array(limit));
    if (input.buffer !== buffer.buffer) buffer.set(input, 0);
    this.length = input.length;
  }
}

export class ProtocolDetection {
  private readonly egress = new DirectionBytes();
  private readonly ingress = new DirectionBytes();
  /** Copies of the chunks seen while undecided, in arrival order. */
  private pending: StreamChunk[] = [];

  constructor(
    private readonly protocols: readonly Protocol[],
    private readonly limitBytes: number,
  ) {}

  /** Offers the next chunk: a decision, or null when the chunk was kept to wait for more. */
  offer(chunk: StreamChunk): DetectionDecision | null {
    const side = chunk.direction === Direction.Egress ? this.egress : this.ingress;
    // Bytes after a gap do not continue what was buffered: nothing more to learn.
    if (side.length > 0 && chunk.gapBefore > 0) return this.fallback();
    const input = side.view(chunk.bytes, this.limitBytes);
    for (const protocol of this.protocols) {
      const answer = protocol.detect(input, chunk.direction);
      if (answer === 'no-match') continue;
      if (answer === 'match') return { protocol, fallback: false };
      // need-more: wait unless the bound is reached.
      if (input.length >= this.limitBytes) return this.fallback();
      side.keep(input, this.limitBytes);
      this.pending.push({
        direction: chunk.direction,
        timestampNs: chunk.timestampNs,
        bytes: copyOf(chunk.bytes),
        gapBefore: chunk.gapBefore,
        tid: chunk.tid,
      });
      return null;
    }
    return this.fallback();
  }

  /** The last protocol, taken when detection gives up. */
  fallback(): DetectionDecision {
    // The constructor's caller guarantees at least one protocol.
    return { protocol: this.protocols[this.protocols.length - 1] as Protocol, fallback: true };
  }

  /** True when chunks are waiting for a decision. */
  hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** The chunks kept while undecided, in arrival order; the detection state is released. */
  takePending(): readonly StreamChunk[] {
    const pending = this.pending;
    this.pending = [];
    return pending;
  }
}

/**
 * Redetection, for a connection the fallback took because its first bytes matched nothing: the
 * first protocol (the fallback excepted) whose message starts at this chunk's first byte
 * (`Protocol.resume`), or undefined. A TLS write usually carries whole messages, so the chunk
 * starts are where a request or a frame run shows up again.
 */
export function redetectProtocol(protocols: readonly Protocol[], chunk: StreamChunk): Protocol | undefined {
  // Bytes after a gap may start mid-message: a start there proves nothing.
  if (chunk.gapBefore > 0) return undefined;
  for (let i = 0; i < protocols.length - 1; i++) {
    const protocol = protocols[i] as Protocol;
    if (protocol.resume?.(chunk.bytes, chunk.direction) === true) return protocol;
  }
  return undefined;
}

function copyOf(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}
