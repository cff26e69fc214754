/**
 * A passive HPACK decoder (RFC 7541) for one direction of one connection: the static table, the
 * dynamic table with its size updates, literal and Huffman strings.
 *
 * Passive means it may start late: on a connection picked up mid-stream the dynamic table already
 * holds entries the agent never saw. Entries are kept newest first; an index past the known ones
 * is then an *unknown* header (never a guess), and the block says how many it had. Evicting
 * later than the peer did is harmless (indexes count from the newest entry), evicting earlier is
 * not: where the table's real bound is not known, entries are kept up to a memory cap and what
 * lies beyond them stays "unknown", not an error.
 *
 * Speed: the dynamic table is a ring of [name, value] fields, so an indexed field hands out the
 * entry itself (fields are immutable) and eviction moves nothing; positions are kept in the
 * decoder, not returned in tuples; short literals go through a shared cache (literal-cache.ts).
 */
import type { HttpHeader } from '../../../exchange/http-headers';
import { cachedLiteral } from './literal-cache';
import { STATIC_TABLE } from './static-table';

/** Name or value of a header whose dynamic-table entry the agent never saw. */
export const UNKNOWN = '(unknown)';

export type HpackError =
  | 'integer-overflow'
  | 'truncated-block'
  | 'invalid-index'
  | 'invalid-huffman'
  | 'size-update-too-large'
  | 'size-update-misplaced';

export interface HeaderBlockResult {
  /** In order; pseudo-headers included; at most the header-list cap's worth. Fields may be shared with the table and other blocks. */
  readonly headers: HttpHeader[];
  /** Fields whose name or value referred to a dynamic entry never seen. */
  readonly unknown: number;
  /** Header-list size (RFC 9113: name + value + 32 per field), counted past the cap too. */
  readonly listSize: number;
  /** Fields were left out: the list went past the cap. */
  readonly overCap: boolean;
  /** Set when the block could not be decoded; the table is then forgotten (later references become unknown). */
  readonly error?: HpackError;
}

export interface HpackDecoderOptions {
  /** Largest decoded header list kept (RFC 9113 header-list size). Default 64 KiB. */
  readonly maxHeaderListBytes?: number;
  /** Most dynamic-table bytes (HPACK sizes) kept; a larger table keeps its older entries "unknown". Default 64 KiB. */
  readonly maxTableBytes?: number;
}

const ENTRY_OVERHEAD = 32;

class BlockError extends Error {
  constructor(readonly code: HpackError) {
    super(code);
  }
}

const UNKNOWN_FIELD: HttpHeader = Object.freeze([UNKNOWN, UNKNOWN] as const);
const STATIC_FIELDS: readonly HttpHeader[] = STATIC_TABLE.map(([name, value]) => Object.freeze([name, value] as const));

export class HpackDecoder {
  private readonly maxListBytes: number;
  private readonly maxTableBytes: number;
  /** Dynamic table: a ring (capacity a power of two), `newest` the slot of index 1, `count` entries. */
  private ring: (HttpHeader | undefined)[] = new Array<HttpHeader | undefined>(16).fill(undefined);
  private sizes = new Int32Array(16);
  private newest = 0;
  private count = 0;
  private tableSize = 0;
  /** The table's bound as the encoder set it (SETTINGS initial 4096, then size updates). */
  private maxSize = 4096;
  /** Bound of size updates: the decoding side's acknowledged SETTINGS_HEADER_TABLE_SIZE; undefined when not known. */
  settingsLimit: number | undefined = 4096;
  /** Entries older than the known ones may exist (pickup mid-stream, a lost block, a table over the memory cap). */
  private beyondKnownUnknown = false;
  /** Read position in the block being decoded. */
  private pos = 0;
  private readonly fields: HttpHeader[] = [];

  constructor(options: HpackDecoderOptions = {}) {
    this.maxListBytes = options.maxHeaderListBytes ?? 64 * 1024;
    this.maxTableBytes = options.maxTableBytes ?? 64 * 1024;
  }

  /** The connection was picked up mid-stream: the table's content and bound are unknown. */
  pickUp(): void {
    this.forget();
    this.settingsLimit = undefined;
    this.maxSize = this.maxTableBytes;
  }

  /** A header block was lost or skipped: whatever the table holds may have moved. */
  forget(): void {
    this.ring.fill(undefined);
    this.count = 0;
    this.tableSize = 0;
    this.beyondKnownUnknown = true;
  }

  /** Dynamic-table entries currently known (for tests and memory accounting). */
  get knownEntries(): number {
    return this.count;
  }

  decode(block: Uint8Array, start: number, end: number): HeaderBlockResult {
    // Decoded into a reused list, handed out as an exact copy.
    const headers = this.fields;
    let n = 0;
    let unknown = 0;
    let listSize = 0;
    let overCap = false;
    let fieldsSeen = false;
    this.pos = start;
    try {
      while (this.pos < end) {
        const byte = block[this.pos] as number;
        let field: HttpHeader;
        if (byte & 0x80) {
          // Indexed field.
          const index = this.integer(block, end, 7);
          if (index === 0) throw new BlockError('invalid-index');
          field = this.lookup(index);
          fieldsSeen = true;
        } else if ((byte & 0xe0) === 0x20) {
          // Dynamic table size update: only before the first field of a block.
          const size = this.integer(block, end, 5);
          if (fieldsSeen) throw new BlockError('size-update-misplaced');
          if (this.settingsLimit !== undefined && size > this.settingsLimit) {
            throw new BlockError('size-update-too-large');
          }
          this.resize(size);
          continue;
        } else {
          // Literal: with incremental indexing (01), without (0000), never indexed (0001).
          const incremental = (byte & 0xc0) === 0x40;
          const index = this.integer(block, end, incremental ? 6 : 4);
          const name = index === 0 ? this.string(block, end) : this.lookup(index)[0];
          field = [name, this.string(block, end)];
          fieldsSeen = true;
          if (incremental) this.insert(field);
        }
        const name = field[0];
        const value = field[1];
        if (name === UNKNOWN || value === UNKNOWN) unknown++;
        listSize += name.length + value.length + ENTRY_OVERHEAD;
        if (listSize > this.maxListBytes) overCap = true;
        else headers[n++] = field;
      }
    } catch (error) {
      if (!(error instanceof BlockError)) throw error;
      // The table may now differ from the peer's in ways that cannot be known.
      this.forget();
      return { headers: headers.slice(0, n), unknown, listSize, overCap, error: error.code };
    }
    return { headers: headers.slice(0, n), unknown, listSize, overCap };
  }

  /** An HPACK integer with an N-bit prefix at the read position, which moves past it. */
  private integer(block: Uint8Array, end: number, prefixBits: number): number {
    const mask = (1 << prefixBits) - 1;
    let pos = this.pos;
    let value = (block[pos] as number) & mask;
    pos++;
    if (value < mask) {
      this.pos = pos;
      return value;
    }
    let shift = 0;
    for (;;) {
      if (pos >= end) throw new BlockError('truncated-block');
      const byte = block[pos++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
      // Nothing legitimate needs more than 2^28: stop before the arithmetic does.
      if (shift > 28) throw new BlockError('integer-overflow');
    }
    if (value > 0x7fffffff) throw new BlockError('integer-overflow');
    this.pos = pos;
    return value;
  }

  /** A string literal at the read position, which moves past it. */
  private string(block: Uint8Array, end: number): string {
    if (this.pos >= end) throw new BlockError('truncated-block');
    const huffman = ((block[this.pos] as number) & 0x80) !== 0;
    const length = this.integer(block, end, 7);
    const start = this.pos;
    const stop = start + length;
    if (stop > end) throw new BlockError('truncated-block');
    this.pos = stop;
    const text = cachedLiteral(block, start, stop, huffman);
    if (text === undefined) throw new BlockError('invalid-huffman');
    return text;
  }

  private lookup(index: number): HttpHeader {
    if (index <= STATIC_FIELDS.length) return STATIC_FIELDS[index - 1] as HttpHeader;
    const dynamic = index - STATIC_FIELDS.length;
    if (dynamic <= this.count) return this.ring[(this.newest - dynamic + 1) & (this.ring.length - 1)] as HttpHeader;
    if (this.beyondKnownUnknown) return UNKNOWN_FIELD;
    throw new BlockError('invalid-index');
  }

  private insert(field: HttpHeader): void {
    const [name, value] = field;
    // An unknown part counts as empty: a lower bound, so eviction is never early.
    const size = (name === UNKNOWN ? 0 : name.length) + (value === UNKNOWN ? 0 : value.length) + ENTRY_OVERHEAD;
    const bound = Math.min(this.maxSize, this.maxTableBytes);
    if (size > bound) {
      // RFC 7541 §4.4: an entry larger than the table empties it and is not added.
      this.evictTo(0);
      return;
    }
    this.evictTo(bound - size);
    if (this.count === this.ring.length) this.grow();
    this.newest = (this.newest + 1) & (this.ring.length - 1);
    this.ring[this.newest] = field;
    this.sizes[this.newest] = size;
    this.count++;
    this.tableSize += size;
  }

  /** Twice the ring, entries laid out oldest first from slot 0. (At most maxTableBytes / 32 entries.) */
  private grow(): void {
    const capacity = this.ring.length * 2;
    const ring = new Array<HttpHeader | undefined>(capacity).fill(undefined);
    const sizes = new Int32Array(capacity);
    const mask = this.ring.length - 1;
    for (let i = 0; i < this.count; i++) {
      const from = (this.newest - this.count + 1 + i) & mask;
      ring[i] = this.ring[from];
      sizes[i] = this.sizes[from] as number;
    }
    this.ring = ring;
    this.sizes = sizes;
    this.newest = this.count - 1;
  }

  private resize(size: number): void {
    this.maxSize = size;
    // A table bound above what is kept: older entries may outlive ours.
    if (size > this.maxTableBytes) this.beyondKnownUnknown = true;
    this.evictTo(Math.min(size, this.maxTableBytes));
    if (size === 0) this.beyondKnownUnknown = false;
  }

  private evictTo(limit: number): void {
    if (this.tableSize <= limit || this.count === 0) return;
    const mask = this.ring.length - 1;
    while (this.tableSize > limit && this.count > 0) {
      const oldest = (this.newest - this.count + 1) & mask;
      this.tableSize -= this.sizes[oldest] as number;
      this.ring[oldest] = undefined;
      this.count--;
    }
    // Known entries only go once every older (unknown) one has gone, when the bound is the peer's own.
    if (this.maxSize <= this.maxTableBytes && this.settingsLimit !== undefined) this.beyondKnownUnknown = false;
  }
}
